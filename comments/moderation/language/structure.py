"""What a bag of words cannot see: who a sentence is about, and what it says they are.

A linear model over words weighs "vermin" and "immigrants" apart; hate is often the two
together ("immigrants are vermin"), and civil comments name the same groups without such a
predicate ("immigrants are waiting months for a visa"). This layer finds, per sentence, a
named group (identity terms and slurs) and predicates of six kinds — dehumanising,
conspiratorial, violent or exclusionary, inferiority, contempt, sweeping generalisation — and
emits the combinations as features the model weighs like any word. Negation ("are not vermin") and
counter-speech ("calling them vermin is disgusting") emit features of their own, so the model
can learn to lower a score it would otherwise raise; their weights come from training, not
from this file.

Every pattern is matched against folded words (``text.fold_word``), so look-alike spellings
match too.
"""

from __future__ import annotations

from dataclasses import dataclass

from .lexicon import GROUP_TERMS, SLURS, terms
from .text import Word

_PREDICATES: dict[str, tuple[tuple[str, ...], ...]] = {
    "dehumanising": tuple(
        tuple(phrase.split())
        for phrase in """
        vermin|rats|cockroaches|roaches|parasites|parasite|leeches|leech|cancer|disease
        diseased|plague|virus|infestation|infest|infesting|animals|beasts|savages
        savage|subhuman|subhumans|apes|ape|monkeys|monkey|pigs|swine|dogs|filth|filthy|scum
        trash|garbage|vile|disgusting|insects|lice|maggots|germs|breed like|not human
        not even human|invaders|invasion|invading|horde|hordes|swarm|swarms|flood|pests
        degenerates|degenerate|abomination|abominations|freaks|freak|mentally ill
        sick in the head|perverts|pervert|predators|groomers|paedophiles|pedophiles|rapists
        abomination|an abomination|waste of space|waste of oxygen|are property|is property
        livestock|cattle
        vermin like|like animals|like rats|like cockroaches|like insects|like a virus|rabid
        mongrels|mongrel|bloodsuckers|bloodsucking|leeching|unclean|polluting
        pollute|contaminate|contaminating|burn in hell|will burn|hellspawn|demons|devils
        satanic|freaks of nature|mutants|mistakes of nature|cant be trusted|never be trusted
        """.replace("\n", "|").split("|")
        if phrase.strip()
    ),
    "conspiracy": tuple(
        tuple(phrase.split())
        for phrase in """
        own the banks|control the banks|run the banks|own the media|control the media
        run the media|control the world|run the world|own everything|control everything
        behind everything|pull the strings|puppet masters|replace us|replacing us
        replacement|great replacement|globalists|globalist|cabal|secretly|the real problem
        are the problem|is the problem|agenda|plot|scheme|takeover|taking over|take over
        control hollywood|own hollywood|run hollywood|control the government|zog
        root of|the root of|behind every|behind all|behind this|behind it all|follow the money
        fifth column|trojan horse|infiltrate|infiltrating|infiltrated|destroying this country
        destroying our|ruining this country|ruining our|destroy our|ruin our|taking our
        take our|stealing our|steal our|once and for all|dual loyalty|loyal only
        islamisation|islamization|islamification|eurabia|white genocide|outbreed
        will outnumber us|outnumber us|invasion|colonise|colonize|colonising|colonizing
        pulling strings|media they own|banks they own|rootless|cosmopolitan|usury|usurers
        """.replace("\n", "|").split("|")
        if phrase.strip()
    ),
    "violent": tuple(
        tuple(phrase.split())
        for phrase in [
            *(
                f"{modal} {verb}"
                for modal in (
                    "should be",
                    "must be",
                    "need to be",
                    "ought to be",
                    "deserve to be",
                    "should all be",
                    "must all be",
                    "should get",
                    "to be",
                    "will be",
                )
                for verb in (
                    "deported",
                    "gassed",
                    "shot",
                    "hanged",
                    "hung",
                    "lynched",
                    "killed",
                    "exterminated",
                    "eradicated",
                    "wiped out",
                    "removed",
                    "sterilised",
                    "sterilized",
                    "castrated",
                    "locked up",
                    "thrown out",
                    "kicked out",
                    "burned",
                    "burnt",
                    "beaten",
                    "put down",
                    "culled",
                    "executed",
                    "rounded up",
                    "expelled",
                    "banned",
                    "purged",
                )
            ),
            *"""
            deport them|deport them all|deport all|deport every|gas them|gas the|kill them
            kill all|kill every|kill the|exterminate|extermination|eradicate|wipe them out
            wipe out the|send them back|send them all back|go back to|get rid of|lynch|hang them
            shoot them|shoot the|should die|deserve to die|must die|need to die|genocide|ovens
            concentration camps|final solution|ethnic cleansing|cleanse|purge them|hunt them
            kick them out|kick them all out|round them up|burn them|castrate|sterilise them
            sterilize them|put them down|right idea|finish the job|finished the job
            should have finished|hitler was right|hitler had a point|six million more
            cull|bulldozed|bulldoze|bulldoze them|torch|torched
            set fire|firebomb|bomb them|nuke|string them up|hang the|shoot the boats|sink the boats
            let them drown|drown them|taken from their parents|take their children
            should not exist|shouldnt exist|not be allowed to live|stoned|stone them|whipped
            gas chamber|gas chambers|to the camps|shot on sight|open fire|beat up
            dealt with once and for all|send them home|ship them back|ship them all back
            expel them|remove them
            """.replace("\n", "|").split("|"),
        ]
        if phrase.strip()
    ),
    "inferior": tuple(
        tuple(phrase.split())
        for phrase in """
        inferior|stupid|dumb|idiots|morons|lazy|criminals|criminal|thieves|thugs|terrorists
        primitive|backward|worthless|useless|dirty|smelly|ugly|less intelligent|low iq
        should not vote|should not be allowed|shouldnt be allowed|not allowed|dont belong
        do not belong|dont deserve|do not deserve|not welcome|unwelcome|a burden|burden
        drain|scroungers|scrounge|liars|greedy|evil|dangerous|violent|barbaric|backwards
        belong in the kitchen|in the kitchen|cant think|predisposed|genetically inferior
        genetically predisposed|low intelligence
        lower iq|lower iqs|less evolved|uncivilised|uncivilized|savage|cannot be educated
        should shut up|shut up and|obey|know their place|their place|second class
        good for one thing|only good for|pathetic|unfit|not fit|shouldnt vote
        cant be integrated|never integrate
        will never integrate|refuse to integrate|dont integrate|incompatible|not real|fake
        delusional|mentally unstable|unnatural|a sin|sinful
        """.replace("\n", "|").split("|")
        if phrase.strip()
    ),
    # Said by someone of a group that follows: "I hate Muslims", "we despise the Roma".
    "contempt": tuple(
        tuple(phrase.split())
        for phrase in """
        i hate|we hate|hate all|hate these|hate those|hate every|i despise|we despise
        despise|cant stand|cannot stand|get these|keep these
        nobody wants|no one wants|dont want any|do not want any|never trust|cant trust
        """.replace("\n", "|").split("|")
        if phrase.strip()
    ),
    "sweeping": tuple(
        tuple(phrase.split())
        for phrase in """
        all of them|every single|they are all|theyre all|are all|all the same|every one of
        typical|always|never will|by nature|in their blood|their kind|those people|these people
        """.replace("\n", "|").split("|")
        if phrase.strip()
    ),
}

NEGATION_WINDOW = 8  # words before a predicate in which a "not" or "never" negates it
NEGATORS = terms(
    "not no never dont doesnt isnt arent wasnt werent cannot cant wont nothing nobody "
    "neither nor without hardly"
)

# Words that condemn what is said, or report it: counter-speech, quotation, journalism.
_COUNTER = tuple(
    tuple(phrase.split())
    for phrase in """
    disgusting|vile|shameful|shame on|appalling|abhorrent|unacceptable|racist|racism
    bigoted|bigot|bigots|bigotry|hateful|hate speech|antisemitic|antisemitism|islamophobic
    islamophobia|homophobic|homophobia|transphobic|transphobia|xenophobic|xenophobia
    misogynist|misogynistic|misogyny|ableist|ableism|sexist|sexism|dehumanising
    dehumanizing|is wrong|was wrong|not okay|not ok|stop saying|stop calling|reported
    report this|condemn|condemned|condemns|sickening|outrageous|nazi talk
    propaganda|lies about|myth|myths|conspiracy theory|conspiracy theories|debunked
    lie that|the lie|old lie|lies that|if you think|anyone who thinks|those who think
    people who think|kind of hate|this is hate|that is hate|thats hate|is hate speech|has no place
    should be ashamed|ashamed|nobody should have to|belongs in court|not debate|language of
    they are people|are human beings|not true|is false|simply false|no evidence
    stand with|solidarity|support our|welcome them|they are human|are people too
    """.replace("\n", "|").split("|")
    if phrase.strip()
)
_REPORT = tuple(
    tuple(phrase.split())
    for phrase in """
    said|says|wrote|writes|claimed|claims|claim|tweeted|posted|shouted|shouting|chanted
    chanting|calling|called|call them|saying|quote|quoted|quoting|graffiti|leaflets|sign
    people who say|those who say|anyone who says|told me|heard
    """.replace("\n", "|").split("|")
    if phrase.strip()
)


@dataclass(frozen=True)
class Cue:
    """A structural feature found in a sentence, and the words (indices) that make it."""

    feature: str
    indices: tuple[int, ...]


def _by_first_word(phrases: tuple[tuple[str, ...], ...]) -> dict[str, list[tuple[str, ...]]]:
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        index.setdefault(phrase[0], []).append(phrase)
    return index


_INDEXES: dict[int, dict[str, list[tuple[str, ...]]]] = {}


def _find(forms: list[str], phrases: tuple[tuple[str, ...], ...]) -> list[tuple[int, ...]]:
    index = _INDEXES.get(id(phrases))
    if index is None:
        index = _INDEXES[id(phrases)] = _by_first_word(phrases)
    found = []
    for position, form in enumerate(forms):
        for phrase in index.get(form, ()):
            if tuple(forms[position : position + len(phrase)]) == phrase:
                found.append(tuple(range(position, position + len(phrase))))
    return found


_COPULA = terms(
    "are is were was be being so very just all truly really absolutely totally such the most "
    "always simply"
)


def counter_cues(
    forms: list[str],
) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]]:
    """Where a text condemns what is said, and where it reports it (indices of the words).
    A condemning word said of a group ("Jews are disgusting") condemns the group, not what
    is said about it, and is no counter-speech."""
    named = [i for i, form in enumerate(forms) if form in GROUP_TERMS or form in SLURS]
    condemning = [
        where
        for where in _find(forms, _COUNTER)
        if not any(
            0 <= where[0] - group <= 5 and set(forms[group + 1 : where[0]]) <= _COPULA
            for group in named
        )
    ]
    return condemning, _find(forms, _REPORT)


def _near(group: int, where: tuple[int, ...], kind: str) -> bool:
    """Whether a predicate is said of the group: after it within six words ("immigrants
    are all vermin"), or just before it ("filthy immigrants"; "deport all immigrants" for
    calls to violence). "Violent attacks on Muslims" names a predicate of no one."""
    if kind == "contempt":
        return 0 < group - where[-1] <= 4
    if where[0] > group:
        return where[0] - group <= 6
    before = 8 if kind == "violent" else 2
    return 0 < group - where[-1] <= before


def cues(
    forms: list[str],
    *,
    condemned: bool,
    reported: bool,
    quoted: frozenset[int] = frozenset(),
    clauses: list[int] | None = None,
) -> list[Cue]:
    """The structural cues of one sentence (its folded words). ``condemned`` and
    ``reported``: the comment around it condemns, or reports, what is said; ``quoted``: the
    indices of words inside quotation marks (mentioned rather than used); ``clauses``: each
    word's clause (a negation does not reach past a comma)."""
    clauses = clauses if clauses is not None else [0] * len(forms)
    groups = [i for i, form in enumerate(forms) if form in GROUP_TERMS]
    slurs = [i for i, form in enumerate(forms) if form in SLURS]
    found: list[Cue] = [Cue("s:slur", (i,)) for i in slurs]
    named = sorted(groups + slurs)
    if named:
        found.append(Cue("s:group", (named[0],)))
    for kind, phrases in _PREDICATES.items():
        for where in _find(forms, phrases):
            said_of = [group for group in named if _near(group, where, kind)]
            if not said_of:
                continue
            window = range(max(0, where[0] - NEGATION_WINDOW), where[0])
            if any(forms[i] in NEGATORS and clauses[i] == clauses[where[0]] for i in window):
                prefix = "negated"
            elif condemned:
                prefix = "condemned"
            elif where[0] in quoted:
                prefix = "quoted"
            elif reported:
                prefix = "reported"
            else:
                prefix = "group"
            found.append(Cue(f"s:{prefix}_{kind}", (said_of[0], *where)))
    if condemned:
        found.append(Cue("s:condemned", ()))
    if reported:
        found.append(Cue("s:reported", ()))
    # One feature of each kind per sentence: repeating a cue says no more.
    unique: dict[str, Cue] = {}
    for cue in found:
        unique.setdefault(cue.feature, cue)
    return list(unique.values())


def spans(words: list[Word], indices: tuple[int, ...]) -> tuple[int, int]:
    """The span of the original text that the given words cover."""
    return words[min(indices)].start, words[max(indices)].end
