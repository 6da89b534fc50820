"""English words the attribution rules recognise: speech verbs, pronouns, prepositions, role nouns.

Shared by character discovery (a name beside `said` is likely a person), pronoun resolution and the
speech-tag rules, so each list is written once.
"""

from __future__ import annotations

import re


def words(text: str) -> frozenset[str]:
    """A vocabulary written as one string of words separated by spaces."""
    return frozenset(text.split())


YOU = "you"
"""The speaker of second-person reader lines (`you whisper`, `y/n`)."""
NARRATOR = "narrator"
"""The speaker of a first-person narrator's lines (`I said`)."""

_SAYING_BASES = words(
    "ask answer whisper murmur mutter demand repeat call shout yell continue add "
    "explain advise offer greet admit finish respond exclaim observe remark return "
    "rejoin interrupt insist suggest agree protest plead beg urge warn inquire "
    "enquire retort stammer stutter mumble announce declare state note point mock "
    "order command instruct prompt press persist counter correct confirm concede "
    "confess complain boast assure argue acknowledge accuse reply cry try start echo "
    "venture query question reason recall remind report reassure quip chide scold "
    "hazard babble blurt address"
)
_SOUND_BASES = words(
    "growl snarl laugh sigh breathe hiss snap sneer groan moan gasp sob grumble grunt "
    "tease chuckle giggle whimper croak bark purr drawl scream shriek squeak chirp "
    "hum joke huff scoff snort rasp whine wail yelp pant choke gush coo muse wonder "
    "sing"
)
_DOUBLED = words("snap beg sob hum quip admit chat")
"""Verbs that double their last letter before -ed and -ing (`snapped`, `begging`)."""


def _inflect(base: str) -> set[str]:
    if base in _DOUBLED:
        return {base, base + "s", base + base[-1] + "ed", base + base[-1] + "ing"}
    if base.endswith("e"):
        return {base, base + "s", base + "d", base[:-1] + "ing"}
    if base.endswith("y") and base[-2] not in "aeiou":
        return {base, base[:-1] + "ies", base[:-1] + "ied", base + "ing"}
    if base.endswith(("s", "sh", "ch", "x", "z")):
        return {base, base + "es", base + "ed", base + "ing"}
    return {base, base + "s", base + "ed", base + "ing"}


SAYING_VERBS = frozenset(
    {form for base in _SAYING_BASES for form in _inflect(base)}
    | words(
        "say says said saying tell tells told telling speak speaks spoke speaking "
        "begin begins began beginning promised assented interposed objected pursued "
        "remonstrated resumed volunteered expostulated entreated implored faltered"
    )
)
"""Verbs that report speech: a capitalised `He says` after a quote still tags it."""
SPEECH_VERBS = (
    SAYING_VERBS
    | {form for base in _SOUND_BASES for form in _inflect(base)}
    | words("thought thinks")
)
"""Saying verbs, the sounds that also carry speech (`she laughed`, `he growled`), and thinking:
a quoted thought (`'How odd,' thought Alice`) is read in the thinker's voice."""

PREPOSITIONS = words(
    "at to from with for of by about toward towards on in into onto over under "
    "behind after before around beside near past through upon against between "
    "among without within across than like as"
)

GENDERED_NOUNS = {
    **dict.fromkeys(
        words(
            "man boy gentleman husband father brother son uncle nephew grandfather "
            "king prince lord fellow lad sir widower bridegroom groom monk priest "
            "landlord waiter"
        ),
        "male",
    ),
    **dict.fromkeys(
        words(
            "woman girl lady wife mother sister daughter aunt niece grandmother queen "
            "princess lass maid widow bride nun landlady waitress actress housekeeper "
            "governess"
        ),
        "female",
    ),
}
"""Role nouns that say a gender: `said the old man`, `his wife replied`."""

COMPOUND_WORD = r"[a-z]+(?:['’-][a-z]+)*"
"""A lowercase word whole, hyphens and apostrophes inside included: a role is `the charity-boy` or
`the lady's-maid`, never `the charity` or `the lady`."""


def role_gender(noun: str) -> str | None:
    """The gender a role noun says, by its head (the last part of a compound: `lady's-maid` is a
    maid, `charity-boy` a boy)."""
    return GENDERED_NOUNS.get(noun) or GENDERED_NOUNS.get(re.split(r"['’-]", noun)[-1])


_QUALIFIER_TAIL = re.compile(r" (?:in|with) .*")


def unqualified(description: str) -> str:
    """A role speaker's name without its qualifier: `the man` for `the man in the cloak`."""
    return _QUALIFIER_TAIL.sub("", description)


PRONOUNS: dict[str, tuple[str | None, str, str | None]] = {
    # word: (gender, form, fixed speaker)
    "he": ("male", "subject", None),
    "she": ("female", "subject", None),
    "him": ("male", "object", None),
    "his": ("male", "possessive", None),
    "her": ("female", "possessive", None),
    "hers": ("female", "object", None),
    "himself": ("male", "reflexive", None),
    "herself": ("female", "reflexive", None),
    "you": (None, "subject", YOU),
    "your": (None, "possessive", YOU),
    "yours": (None, "object", YOU),
    "yourself": (None, "reflexive", YOU),
    "y/n": (None, "subject", YOU),
    "i": (None, "subject", NARRATOR),
    "me": (None, "object", NARRATOR),
    "my": (None, "possessive", NARRATOR),
    "myself": (None, "reflexive", NARRATOR),
}
PRONOUN_RE = (
    r"[Hh]e|[Ss]he|[Hh]im(?:self)?|[Hh]is|[Hh]er(?:s|self)?|[Yy]ou(?:rs|rself|r)?|I|[Mm]e|[Mm]y(?:self)?"
    r"|[\[(]?[Yy]/[Nn][\])]?"
)
"""Every form in PRONOUNS as written (`[Y/N]` included), for a regular expression."""

_DIMINUTIVES = {
    "elizabeth": "lizzy lizzie eliza liz betsy bessie bess beth betty",
    "josephine": "jo josie",
    "margaret": "meg maggie peggy madge",
    "roberta": "bobbie bobby",
    "robert": "bob bobby robin",
    "phyllis": "phil",
    "philip": "phil pip",
    "david": "davie davy dave",
    "thomas": "tom tommy",
    "william": "will willie willy bill billy",
    "richard": "dick dickon",
    "edward": "ned neddy ted teddy",
    "henry": "harry hal",
    "john": "jack johnny",
    "james": "jim jimmy jem jamie",
    "catherine": "kitty kate katie cathy",
    "katherine": "kitty kate katie kathy",
    "frances": "fanny",
    "mary": "polly molly mamie",
    "eleanor": "nell nelly nellie",
    "helen": "nell nelly nellie",
    "sarah": "sally",
    "charles": "charley charlie",
    "charlotte": "lottie",
    "samuel": "sam sammy",
    "benjamin": "ben",
    "joseph": "joe",
    "frederick": "fred freddy freddie",
    "anne": "annie nan nancy",
    "jane": "jenny jennie",
    "susan": "sukey susie",
    "martha": "patty patsy",
    "theodore": "teddy",
    "lucy": "lu",
    "amelia": "emmy",
    "matthew": "matt",
}
NICKNAMES: dict[str, frozenset[str]] = {}
"""A common English diminutive (`lizzy`) -> the given names it shortens (`elizabeth`)."""
for _full, _shorts in _DIMINUTIVES.items():
    for _short in _shorts.split():
        NICKNAMES[_short] = NICKNAMES.get(_short, frozenset()) | {_full}


# Common given names: a weak prior, used only when titles and pronouns leave a name's gender open.
GIVEN_NAMES = {
    **dict.fromkeys(
        words(
            "john james william george charles henry thomas edward robert richard "
            "joseph arthur frederick albert alfred walter harry jack tom dick ned ben "
            "sam samuel peter paul david daniel michael matthew mark luke andrew "
            "philip stephen francis hugh ralph roger simon oliver edmund frank fred "
            "jim joe bill bob tim harold herbert ernest percy cecil lewis louis jacob "
            "isaac abraham nathaniel jonathan christopher nicholas anthony lawrence "
            "martin victor vincent marcus julian adam alexander benjamin jeremy "
            "timothy patrick dennis kevin brian eric steven gerald geoffrey godfrey "
            "gilbert horace jasper laurence leonard lionel rupert sebastian silas "
            "theodore tobias wilfred aaron alan allan alec algernon ambrose amos angus "
            "archibald archie augustus austin barnaby bartholomew basil bertie bertram "
            "bruce cedric clarence claude clement clifford conrad cornelius cuthbert "
            "cyril dan denis derek desmond dominic donald douglas duncan dudley edgar "
            "edwin eli elijah enoch ephraim erasmus eustace evan ezra felix ferdinand "
            "fergus gabriel gareth gavin giles gordon graham gregory guy hamish hector "
            "herman hubert humphrey ian ivan jerome jesse jonas josiah julius kenneth "
            "lancelot lucian ludwig luther malcolm matthias maurice max miles montague "
            "morris moses neville nigel noah norman owen oscar otto percival randolph "
            "raymond reginald reuben roderick rodney roland ronald rudolph rufus stanley "
            "terence tristram vernon wallace warren wilbur winston zachary augustine "
            "pierre jacques henri karl hans fritz carlo giovanni giuseppe pietro antonio "
            "pedro juan carlos alexei dmitri nikolai sergei boris"
        ),
        "male",
    ),
    **dict.fromkeys(
        words(
            "mary elizabeth anne ann jane sarah margaret catherine katherine emma "
            "charlotte lucy alice harriet fanny eleanor elinor marianne julia "
            "caroline maria martha susan helen ellen grace rose dorothy florence "
            "edith agnes amelia isabella isabel louisa lydia kitty georgiana clara "
            "cecilia esther hannah rebecca rachel ruth judith eliza betsy bessie "
            "nancy molly polly sophia sophie laura diana victoria beatrice eva eve "
            "evelyn violet lily daisy ada emily annie jenny kate maggie meg amy beth "
            "jo claire anna hester dora nell nelly cathy estella lizzy lizzie bella "
            "olivia phoebe matilda mabel marian marion norah nora abigail adela "
            "adelaide adeline agatha alexandra alma amanda angela angelica antoinette "
            "arabella augusta barbara bertha blanche bridget camilla carlotta carrie "
            "cassandra celia christina christine clarissa constance cordelia cynthia "
            "deborah delia dinah dolly edna effie elaine eloise elsa elsie emilia "
            "emmeline ethel eugenia eunice euphemia felicity fiona flora frances "
            "frieda georgette georgina geraldine gertrude gladys gwendolen gwendolyn "
            "hattie henrietta hilda ida imogen irene jacqueline janet jemima jennie "
            "jessie joan josephine joyce judy julie juliet katharine katie kathleen "
            "letitia lilian lillian lottie louise lucia lucinda lucille madeleine "
            "madge mamie marcia margery marguerite marie marjorie maud maude mildred "
            "millie minnie miranda miriam muriel myra octavia olive pamela pauline "
            "peggy penelope philippa priscilla rhoda rosa rosalind rosamond rosamund "
            "rosie sally selina sibyl sybil sylvia tabitha tessa theodora theresa "
            "ursula vera veronica viola virginia wilhelmina winifred adele"
        ),
        "female",
    ),
}
