"""Words that name groups of people, and slurs, in folded form (``text.fold_word``): shared by
the folding (a masked slur, "k*ke", is read as the slur) and the structural cues."""

from __future__ import annotations


def terms(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that name a group of people for who they are (folded, singular and plural).
GROUP_TERMS = terms(
    """
    jew jews jewish jewry judaism zionist zionists israeli israelis
    muslim muslims moslem moslems islam islamic islamist islamists mohammedan arab arabs
    immigrant immigrants migrant migrants refugee refugees asylum foreigner foreigners
    illegals alien aliens newcomers expat expats
    black blacks african africans negro negroes
    asian asians chinese japanese korean koreans indian indians pakistani pakistanis
    mexican mexicans latino latinos latina latinas hispanic hispanics
    roma romani gypsy gypsies gipsy gipsies traveller travellers traveler travelers sinti
    gay gays lesbian lesbians homosexual homosexuals homosexuality bisexual bisexuals queer
    queers lgbt lgbtq lgbtqia
    trans transgender transgenders transsexual transsexuals transwomen transmen nonbinary
    woman women female females girl girls feminist feminists wife wives
    disabled disability disabilities handicapped autistic autists wheelchair deaf blind
    christian christians catholic catholics hindu hindus sikh sikhs atheist atheists
    polish poles romanian romanians nigerian nigerians somali somalis syrian syrians
    turk turks afghan afghans ukrainian ukrainians eastern irish native natives indigenous
    aboriginal aboriginals romanies palestinian palestinians bangladeshi bangladeshis
    eritrean eritreans albanian albanians kurd kurds sikh hindus intersex transgendered
    mentally downs dwarf dwarves amputee amputees mosque mosques synagogue synagogues
    """
)

# Slurs: a group named with contempt. Folded forms; spellings with look-alikes fold to these.
SLURS = terms(
    """
    kike kikes kyke kykes yid yids hymie hymies
    nigger niggers nigga niggas negroid coon coons jigaboo jiggaboo spook spooks sambo
    faggot faggots fag fags faggy dyke dykes homo homos poof poofs poofter tranny trannies
    shemale shemales troon troons
    retard retards retarded spastic spastics spaz mong mongs cripple cripples
    paki pakis raghead ragheads towelhead towelheads sandnigger muzzie muzzies muzrat
    goatfucker camelfucker
    spic spics wetback wetbacks beaner beaners chink chinks gook gooks
    gyppo gyppos pikey pikeys tinker tinkers
    whore whores slut sluts feminazi feminazis
    """
)

# Swear words a masked spelling ("f*ck") is read as, beside the slurs.
PROFANITY = terms(
    """
    fuck fucking fucker fuckers fucked shit shitty bitch bitches cunt cunts bastard bastards
    asshole assholes arsehole arseholes dick dickhead twat twats wanker wankers prick pricks
    """
)
MASKABLE = SLURS | PROFANITY
