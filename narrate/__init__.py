"""narrate: offline audiobook narration, story files in, chaptered audiobooks out."""

__version__ = "0.1.0"
