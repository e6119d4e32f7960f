"""Demo content: an invented week of news from Harbourton and the Ambry Valley.

Everything here is fiction written for this project: the city, its people, organisations and
events. ``load_articles()`` fills an empty site and is safe to run again: it only adds what is
missing (matched by slug) and never changes what an editor has since edited.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import timedelta
from typing import TextIO, TypeVar

from django.core.files.base import ContentFile
from django.utils import timezone

from articles.demo_images import make_lead_image
from articles.models import Article, Author, Section, Tag

# --- Sections, tags and authors ----------------------------------------------------------------

SECTIONS: list[tuple[str, str, str]] = [
    # (slug, name, description); listed in this order.
    (
        "news",
        "News",
        "What is happening in Harbourton and across the Ambry Valley: the council, housing, "
        "transport and the people they affect.",
    ),
    (
        "climate",
        "Climate",
        "The estuary, the weather and the work of living with both: floods, energy, coasts "
        "and wildlife.",
    ),
    (
        "science",
        "Science",
        "Discoveries from the valley's labs, classrooms and coastline, explained without the "
        "jargon.",
    ),
    ("culture", "Culture", "Galleries, music, books and the city's evenings out."),
    (
        "sport",
        "Sport",
        "Football, cycling and everything else the valley plays, watches and argues about.",
    ),
]

TAGS: list[tuple[str, str]] = [
    ("harbourton", "Harbourton"),
    ("transport", "Transport"),
    ("housing", "Housing"),
    ("flooding", "Flooding"),
    ("energy", "Energy"),
    ("coasts", "Coasts"),
    ("wildlife", "Wildlife"),
    ("education", "Education"),
    ("arts", "Arts"),
    ("football", "Football"),
    ("cycling", "Cycling"),
]

AUTHORS: list[tuple[str, str, str]] = [
    (
        "maren-oduya",
        "Maren Oduya",
        "City affairs reporter. Covers Harbourton's council, housing and transport, after "
        "eight years on the Ambry Valley's weekly papers.",
    ),
    (
        "tobias-wrenhall",
        "Tobias Wrenhall",
        "Climate and environment correspondent. Writes about the estuary, the weather and the "
        "people working out how to live with both.",
    ),
    (
        "priya-halloway",
        "Priya Halloway",
        "Science editor. Trained as a marine biologist at the Harbourton Institute of Marine "
        "Science before swapping the lab for the newsroom.",
    ),
    (
        "ines-carrow",
        "Ines Carrow",
        "Culture writer covering galleries, music, books and the city's late nights.",
    ),
    (
        "rafe-dunmore",
        "Rafe Dunmore",
        "Sport reporter. Has watched the Harbourton Mariners from the same corner of the "
        "Quayside Ground since he was seven.",
    ),
]

CREDIT = "Illustration: Newsroom graphics desk"


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    headline: str
    standfirst: str
    body: str
    section: str
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    picture: str  # one of demo_images.COMPOSITIONS, painted in the section's palette
    image_alt: str
    image_caption: str
    # How long before "now" the article was published; negative: scheduled; None: a draft.
    age: timedelta | None
    updated_age: timedelta | None = None
    featured: bool = False
    comments_open: bool = True
    comments_premoderated: bool = False
    comments_close_after_days: int | None = None
    related: tuple[str, ...] = ()


def _ago(days: int, hours: int = 0) -> timedelta:
    return timedelta(days=days, hours=hours)


def _text(source: str) -> str:
    """Turn hard-wrapped source text into the body format: one line per paragraph, list item,
    subheading or quote, and a blank line between blocks."""
    blocks = []
    for block in textwrap.dedent(source).strip().split("\n\n"):
        lines: list[str] = []
        for raw in block.splitlines():
            line = raw.strip()
            if not lines or line.startswith(("- ", "## ", "> ")):
                lines.append(line)
            else:
                lines[-1] += " " + line
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


# --- Articles ----------------------------------------------------------------------------------

ARTICLES: list[DemoArticle] = [
    DemoArticle(
        slug="tidal-barrier-holds-as-storm-drives-ambry-to-record-height",
        headline="Tidal barrier holds as storm drives the Ambry to a record height",
        standfirst=(
            "Harbourton's flood gates faced their hardest test overnight, and the lower town "
            "stayed dry. Engineers say the margin was narrower than they would like."
        ),
        body=_text(
            """
            The River Ambry rose to 6.42 metres at the Ferry Wharf gauge shortly after 3am,
            the highest reading since records began in 1911, as a deep Atlantic storm arrived
            on top of a spring tide and three days of heavy rain in the upper valley.

            The Greyhythe tidal barrier, four steel gates across the mouth of the harbour,
            closed at 11pm and stayed shut for nine hours. Behind it, the water in the inner
            harbour peaked almost a metre lower than the sea outside. No homes in the lower
            town were flooded, according to the Ambry Valley Flood Authority.

            "This is the night the barrier was built for," said its operations manager, Hana
            Selwood. "We watched the sea climb up the outside of the gates, and the people of
            Greyhythe slept through it."

            ## A narrower margin than planned

            The barrier was designed to cope with a 6.2-metre surge with half a metre to
            spare. Overnight, the spare was closer to 20 centimetres, and engineers admit that
            the upper river, swollen by rain, came within a few hours of spilling over the
            embankments at Wrenfield.

            > "We are very glad it held. We would be foolish to assume it will always hold at
            these heights," said Dr Owen Merrick, a hydrologist at the Harbourton Institute of
            Marine Science.

            Merrick's team models how often a night like this should be expected. Fifteen
            years ago their estimate was once in 200 years. Their latest figure is
            **roughly once in 40**.

            ## What happens next

            The flood authority says it will:

            - inspect all four gates and their hydraulics before the next run of high tides;
            - publish the full gauge readings from the night within a week;
            - bring forward its review of the Wrenfield embankments by two years.

            Residents of Wrenfield, where gardens along Mill Lane were under water by dawn,
            say the review cannot come soon enough. "The town got a barrier and we got a pile
            of sandbags," said Priscilla Dunne, who spent the night carrying furniture
            upstairs.

            The authority has opened a [page for reporting flood
            damage](https://example.org/ambry-flood-report) and says its teams will visit every
            affected street in Wrenfield by the end of the week.

            *This article was updated to add the flood authority's plans for Wrenfield.*
            """
        ),
        section="climate",
        tags=("flooding", "harbourton"),
        authors=("tobias-wrenhall", "maren-oduya"),
        picture="sea",
        image_alt=(
            "Illustration: a pale sun over a calm green sea, with a low headland to the left "
            "and light glinting on the water."
        ),
        image_caption="The Ambry estuary after the storm: calm water, and a long night behind it.",
        age=_ago(0, 3),
        updated_age=_ago(0, 1),
        featured=True,
        related=(
            "saltmarsh-quay-farmers-let-the-sea-back-in",
            "council-approves-homes-on-old-ferry-terminal-site",
        ),
    ),
    DemoArticle(
        slug="council-approves-homes-on-old-ferry-terminal-site",
        headline="Council approves 400 homes on the old ferry terminal site",
        standfirst=(
            "After a six-hour meeting, Harbourton's planning committee backed the city's "
            "largest housing scheme for a generation by five votes to four. Opponents say they "
            "will go to court."
        ),
        body=_text(
            """
            Harbourton's planning committee has approved plans for 400 homes, a primary school
            and a waterfront park on the site of the disused ferry terminal at Ferry Wharf,
            ending a decade of argument over the biggest empty plot in the city.

            The scheme, by the developer Estuary Living, was approved by five votes to four
            shortly before midnight, after a meeting that ran for more than six hours and heard
            from 43 public speakers.

            ## What was approved

            - 400 homes in buildings of four to nine storeys, 160 of them for social rent;
            - a primary school, to open before the final phase of homes is finished;
            - a 2.5-hectare park along the water, open to the public at all hours;
            - one parking space for every four homes, with a car club on site.

            The share of social housing, 40%, is the highest of any large scheme in the city's
            history, and it swayed at least two councillors who had been undecided.

            "Nine hundred families are waiting for a council home in this city," said the
            committee's chair, Councillor Rhiannon Vale. "I could not look them in the eye and
            vote against 160 of them."

            ## The objections

            Opponents, led by the Ferry Wharf Residents' Association, argued that the tallest
            blocks would overshadow the terraces of Chandler Street, and that land which sits
            below the highest tides of recent winters should not be built on at all.

            > "They are putting a school on ground the river has been trying to reclaim for a
            century," said the association's secretary, Dennis Hallam. "We will be asking for
            a judicial review."

            The developer says the ground floor of every building will be raised 1.2 metres
            above today's flood level, and that the park has been designed to hold water in an
            extreme storm. The Ambry Valley Flood Authority did not object to the plans.

            Building could begin next year if the scheme survives a legal challenge. The
            committee papers, including the flood assessment, are [published on the council's
            website](https://example.org/harbourton-planning/ferry-wharf).
            """
        ),
        section="news",
        tags=("housing", "harbourton"),
        authors=("maren-oduya",),
        picture="skyline",
        image_alt=(
            "Illustration: a city skyline at dusk, its lit windows reflected in dark harbour water."
        ),
        image_caption="Ferry Wharf has stood empty since the last crossing ran a decade ago.",
        age=_ago(0, 20),
        comments_premoderated=True,
        related=("tidal-barrier-holds-as-storm-drives-ambry-to-record-height",),
    ),
    DemoArticle(
        slug="mariners-snatch-the-derby-in-the-94th-minute",
        headline="Mariners snatch the derby with a header in the 94th minute",
        standfirst=(
            "Harbourton Mariners came from behind to beat Kelderby Athletic 2-1 at the "
            "Quayside Ground, with a 19-year-old centre-back scoring his first senior goal."
        ),
        body=_text(
            """
            For 93 minutes it had looked like another derby that Harbourton Mariners would
            spend the week explaining. Then Theo Marsh-Adeyemi, a 19-year-old centre-back,
            rose above everyone at the far post to meet a corner, and the Quayside Ground made
            a noise that could be heard on the other side of the harbour.

            Mariners 2, Kelderby Athletic 1. It is the first time in eleven derbies that the
            home side has beaten their neighbours from down the coast, and it lifts them to
            fourth in the table, level on points with Athletic.

            ## A poor first half

            Kelderby were the better side for most of the first half and went ahead after 27
            minutes, when their captain, Ross Caddick, curled a free kick over the wall and
            inside the near post. Femi Stroud, in the Mariners goal, could only watch.

            The home side improved after the break, largely because their manager, Annika
            Hale, moved Lewis Bray in from the wing, where he had hardly touched the ball. On
            61 minutes Bray's pass split the Kelderby defence, and Dani Okoro ran on to it to
            score low into the corner.

            ## The winner

            With four added minutes showing on the board, Mariners won a corner on the right.
            Bray swung it towards the far post, and Marsh-Adeyemi, who had been booked in the
            first half and was nearly substituted at the interval, timed his run perfectly.

            > "I've scored in the park with my mates hundreds of times. This was a bit
            different," he said afterwards, still in his kit. "My mum was in the stand. I think
            she's still screaming."

            Hale was more measured. "We were poor for forty-five minutes and I told them so,"
            she said. "But the reaction was exactly what I want from this group, and the crowd
            dragged us over the line."

            ## The numbers

            - Attendance: 8,412, the Quayside Ground's biggest crowd of the season
            - Possession: Mariners 54%, Athletic 46%
            - Shots on target: Mariners 6, Athletic 3

            Mariners travel to Wrenfield Town next weekend. Kelderby, who had been unbeaten in
            eight league games, are at home to the leaders.
            """
        ),
        section="sport",
        tags=("football", "harbourton"),
        authors=("rafe-dunmore",),
        picture="pitch",
        image_alt=(
            "Illustration: a football pitch with striped turf and a centre circle, a stand "
            "and two floodlights behind it under a blue sky."
        ),
        image_caption="The Quayside Ground, where Mariners had waited eleven derbies for this.",
        age=_ago(1, 22),
        comments_open=False,
    ),
    DemoArticle(
        slug="old-ropeworks-reopens-as-a-300-metre-gallery",
        headline="The Old Ropeworks reopens as a 300-metre gallery",
        standfirst=(
            "Harbourton's longest building, where rope was spun for sailing ships for two "
            "centuries, has become an arts centre. Its first exhibition uses every metre."
        ),
        body=_text(
            """
            For two hundred years, the workers at the Harbourton ropeworks walked backwards.
            In a shed 300 metres long and barely eight wide, they paced down the floor paying
            out hemp from bundles at their waists while a wheel at the far end twisted it into
            yarn. The rope that rigged the port's sailing ships was made a few steps at a time.

            The walkers have been gone since the 1960s, and the shed spent the decades since
            as a storage depot, then as nothing at all. This weekend it reopens as the Old
            Ropeworks, an arts centre with what its director believes is the longest single
            gallery in the country.

            ## One long room

            The conversion, by the Harbourton architects Pell & Marchbank, leaves the
            building's shape untouched. Visitors enter at one end and can see all the way to
            the other. New skylights run the length of the roof, and the original floor, worn
            smooth by generations of feet, has been cleaned and left bare.

            The opening exhibition, **Lay**, takes its name from the ropemaker's word for the
            twist that binds strands together. It is designed to be walked in one direction,
            as the ropewalkers did:

            - the first hundred metres hold tools, wage books and a length of anchor cable as
            thick as a tree trunk;
            - the middle hundred are given to the textile artist Wren Adebayo-Holt, whose 4,000
            strands of dyed yarn hang from the ceiling and sway as visitors pass;
            - the last hundred are empty, apart from a bench and a window onto the harbour.

            > "People ask why we left the last section empty," said the centre's director,
            Clementine Ashdown. "Walk three hundred metres slowly and you'll understand. You
            need somewhere to arrive."

            ## A building for the neighbourhood

            Beyond the gallery there are studios for 18 artists at below-market rents, a cafe,
            and a workshop where, at weekends, visitors can make a length of rope on a restored
            wheel. Entry to the gallery is free.

            The £7.8 million project was paid for by the city council, a national heritage
            grant and a public appeal that raised £410,000, much of it in small gifts from the
            families of former ropeworkers. Their names are painted along the wall by the
            entrance, in the order in which they started work.
            """
        ),
        section="culture",
        tags=("arts", "harbourton"),
        authors=("ines-carrow",),
        picture="shapes",
        image_alt=(
            "Abstract illustration: overlapping circles and bars in coral, gold and plum on a "
            "warm evening gradient."
        ),
        image_caption="Lay, the opening exhibition, runs the full length of the Old Ropeworks.",
        age=_ago(2, 8),
        related=("dockers-grandchildren-bring-harbour-songs-back-to-life",),
    ),
    DemoArticle(
        slug="seagrass-meadow-off-kelderby-point-largest-mapped",
        headline="Seagrass meadow off Kelderby Point is the largest ever mapped on the coast",
        standfirst=(
            "Divers and an underwater drone have charted 190 hectares of seagrass south of "
            "Kelderby. Early samples suggest it locks away carbon as fast as the woods inland."
        ),
        body=_text(
            """
            A seagrass meadow covering 190 hectares has been mapped in the shallow water south
            of Kelderby Point, making it three times larger than any other known on this
            stretch of coast.

            The survey, carried out over two summers by the Harbourton Institute of Marine
            Science, combined dives by volunteers with sonar from a small underwater drone the
            team nicknamed Limpet. The results have been sent to a scientific journal and
            shared with the regional fisheries authority.

            "We knew there was seagrass off the Point, because the divers kept telling us,"
            said Dr Imogen Thackeray, who led the work. "We guessed perhaps 50 hectares. Every
            time we sent the drone further out, it found more."

            ## Why it matters

            Seagrass is a flowering plant, not a seaweed, and its meadows are among the
            richest habitats in the sea. They shelter young fish, including the plaice that
            Kelderby's small inshore fleet depends on, and trap sediment that would otherwise
            cloud the water.

            They also store carbon. Dead leaves and roots are buried in the sediment, where
            they can stay locked away for centuries. Core samples from the Kelderby meadow
            suggest that each hectare stores carbon at least as fast as a hectare of mature
            woodland in the Ambry Valley.

            ## Under pressure

            The meadow has no legal protection, and the survey found:

            - scars from anchors and mooring chains in the shallowest parts, near the slipway;
            - patches of bare sand where grass seems to have died back within the last decade;
            - dense, healthy growth in deeper water, down to about seven metres.

            > "The deep meadow looks strong. The trouble is that the shallow edge, the easiest
            part for people to reach, is also the part that's disappearing," Thackeray said.

            The institute has proposed a voluntary no-anchoring zone marked with buoys, and
            has been talking to Kelderby Sailing Club about moorings that do not drag along
            the seabed. The club's members will vote on the idea at their next general meeting.

            The team will return next summer to see whether the bare patches are spreading or
            recovering. Divers who want to help can [register with the
            institute](https://example.org/himsci/seagrass-volunteers).
            """
        ),
        section="science",
        tags=("coasts", "wildlife"),
        authors=("priya-halloway",),
        picture="sea",
        image_alt=(
            "Illustration: a glowing cyan sun low over a violet sea at night, with a dark "
            "headland to the left."
        ),
        image_caption="The waters off Kelderby Point hide a meadow bigger than the town itself.",
        age=_ago(3, 6),
        related=("saltmarsh-quay-farmers-let-the-sea-back-in",),
    ),
    DemoArticle(
        slug="saltmarsh-quay-farmers-let-the-sea-back-in",
        headline="Saltmarsh Quay farmers let the sea back in, and the birds came with it",
        standfirst=(
            "Three winters after the old sea wall was breached on purpose, 140 hectares of "
            "pasture have turned to marsh. Wading birds have returned in numbers nobody "
            "predicted."
        ),
        body=_text(
            """
            When diggers cut a 60-metre gap in the sea wall at Saltmarsh Quay, some
            neighbours called it surrender. Three winters later, the fields that once grazed
            sheep flood and drain twice a day, and the farmers around them are among the
            project's loudest supporters.

            The scheme, known locally as the Breach, was agreed between four farming families
            and the Ambry Valley Flood Authority. Instead of paying to raise a crumbling wall
            that protected poor pasture, the authority paid the farmers to let the tide in,
            and built a smaller, stronger bank further inland.

            ## The counts

            Volunteers from the Kelderby Bird Club have counted the site every month since
            the breach. Their latest figures show:

            - more than 3,000 dunlin on a single midwinter high tide, against fewer than 100
            before;
            - redshank nesting on the marsh for the first time in living memory;
            - a pair of spoonbills that stayed for six weeks in late summer.

            "We expected the mud to come alive eventually," said the club's recorder, Agnes
            Fairlie. "We did not expect it inside three years. The birds found it almost
            before the water did."

            ## Cheaper than concrete

            The marsh does a job, too. It slows waves and gathers sediment, and the authority
            estimates that the new bank, sheltered behind it, will cost a fifth as much to
            maintain as the old wall.

            > "My grandfather helped build that wall, and it was hard to watch it go," said
            Will Penhallow, whose family has farmed at the Quay for four generations. "But we
            were patching it every spring. Now the sea does the work and we're paid to look
            after the birds."

            Not everyone is won over. A footpath that ran along the old wall is now cut in
            two, and walkers face a three-kilometre detour. The authority says a footbridge
            over the breach is planned, if it can find the money.

            Other landowners are watching. Two farms near Upper Thornlow have asked for
            studies of their own land, and the authority plans to publish a [guide for
            landowners](https://example.org/ambry-realignment-guide) next year.
            """
        ),
        section="climate",
        tags=("coasts", "wildlife", "flooding"),
        authors=("tobias-wrenhall", "priya-halloway"),
        picture="hills",
        image_alt="Illustration: layers of green hills fading into mist under a pale morning sun.",
        image_caption="Behind the new bank, the farmland around Saltmarsh Quay carries on.",
        age=_ago(4, 10),
    ),
    DemoArticle(
        slug="night-buses-return-to-the-ambry-valley",
        headline="Night buses return to the Ambry Valley after six years",
        standfirst=(
            "Three routes will run through the night at weekends from next month, linking "
            "Harbourton with Kelderby, Wrenfield and Upper Thornlow. Shift workers say it is "
            "long overdue."
        ),
        body=_text(
            """
            Night buses will return to the Ambry Valley next month for the first time in six
            years, after the region's transport authority agreed a two-year trial paid for
            partly by the hospital trust and the port.

            From the first weekend of the month, three routes will run hourly between
            midnight and 5am on Friday and Saturday nights:

            - **N1** Harbourton bus station to Kelderby, via Northgate Hospital;
            - **N2** Harbourton bus station to Wrenfield and Mill Lane;
            - **N3** Ferry Wharf to Upper Thornlow, via the container port gates.

            Fares will match daytime fares, and day tickets bought before midnight will be
            valid until 5am.

            ## Who rides at 3am

            The old night network was cut six years ago, when Ambry Valley Transport lost a
            third of its budget. Since then, by the authority's own count, around 2,000 people
            a week have made night journeys by taxi, on foot or not at all.

            Many are shift workers. Northgate Hospital has more than 600 staff whose shifts
            start or end between midnight and 6am, and the port works around the clock.

            "I pay £22 for a taxi home after every night shift," said Gemma Arkwright, a
            healthcare assistant on one of the hospital's wards. "That's most of an hour's
            pay, every time. People have left the job over it."

            ## Paying for it

            The trial will cost £1.4 million over two years. The hospital trust and the port
            will each pay a quarter; the rest comes from ending a little-used daytime service
            between Kelderby and the retail park.

            > "Night-time is when a lot of the valley's essential work happens," said the
            authority's director, Samuel Achterberg. "If the buses stop, that work doesn't
            stop. It just gets harder and less safe."

            Passenger numbers will be published every quarter. If the routes average fewer
            than eight passengers a journey after the first year, the authority says it will
            redesign them rather than scrap them.

            Timetables are [available online](https://example.org/ambry-transport/night) and
            from the travel shop at the bus station.
            """
        ),
        section="news",
        tags=("transport",),
        authors=("maren-oduya",),
        picture="hills",
        image_alt="Illustration: layers of dusky mauve hills under a low evening sun.",
        image_caption="The N3 will wind out to Upper Thornlow on the valley's quietest roads.",
        age=_ago(6, 4),
        comments_close_after_days=30,
    ),
    DemoArticle(
        slug="dockers-grandchildren-bring-harbour-songs-back-to-life",
        headline="A choir of dockers' grandchildren brings the harbour's lost songs back to life",
        standfirst=(
            "The Greyhythe Shanty Project spent a year gathering work songs from old tapes and "
            "older memories. Its first concert sold out in an afternoon."
        ),
        body=_text(
            """
            The song that opened the concert at St Anselm's church had not been sung in
            public, as far as anyone knows, for seventy years. It is called "Heave Her Round,
            Greyhythe", and until last year it survived only on a crackling tape made in a pub
            back room and in the memory of one 91-year-old former crane driver.

            That crane driver, Alfie Rourke, was in the front row when the 60 singers of the
            Greyhythe Shanty Project performed it. Most of them are the children and
            grandchildren of people who worked on the Harbourton docks.

            ## Finding the songs

            The project began when the choir's founder, the music teacher Siobhan Marlowe,
            bought a box of reel-to-reel tapes at a house clearance. They turned out to be the
            work of a folk song collector who had toured the docks half a century ago.

            "There were thirty-odd songs on those tapes, and most of them aren't in any book,"
            Marlowe said. "Some are rude. Some are about particular foremen. One is entirely
            about the price of tea."

            The choir asked for anyone who remembered the songs to get in touch, and was
            overwhelmed. Over a year, volunteers recorded more than 40 former dock workers and
            their families, recovering lost verses, tunes and the stories behind them.

            ## The programme

            - **hauling songs**, with rhythms set by the pull of a rope or the turn of a capstan;
            - **tavern songs**, for the end of a shift;
            - **a lament** for the six men lost when the coaster *Mary Tell* sank at the harbour
            mouth, written by a docker the week after.

            > "I came for my grandad and I stayed because the songs are brilliant," said Kian
            Doherty, 17, the youngest member. "They're catchy. They had to be. You learned
            them while carrying a sack."

            Tickets sold out within four hours, and two more dates have been added at the Old
            Ropeworks. The recordings will go to the Free Library's local history collection,
            and a songbook will be [published online](https://example.org/greyhythe-shanties)
            for anyone who wants to sing along.

            Asked afterwards what he thought, Rourke said only that the tenors were a bit
            quick. Then he asked when the next rehearsal was.
            """
        ),
        section="culture",
        tags=("arts", "harbourton"),
        authors=("ines-carrow",),
        picture="skyline",
        image_alt=(
            "Illustration: a dark red harbour skyline with lit windows, reflected in the "
            "water at sunset."
        ),
        image_caption="The Greyhythe docks, where the songs were once sung at work.",
        age=_ago(8, 7),
    ),
    DemoArticle(
        slug="fish-market-roof-becomes-harbourtons-biggest-solar-farm",
        headline="The fish market roof becomes Harbourton's biggest solar farm",
        standfirst=(
            "A co-operative of 900 residents paid for 2,400 panels on the old market hall. The "
            "power keeps the market's fish cold first; whatever is left goes to the grid."
        ),
        body=_text(
            """
            The long grey roof of the Harbourton fish market has been a landmark of the
            waterfront since the 1890s. It is now also the largest solar installation in the
            city, with 2,400 panels that will produce, over a year, about as much electricity
            as 350 homes use.

            The project was paid for by Greyhythe Community Energy, a co-operative started
            four years ago by neighbours who met at a public meeting in a church hall. It
            raised £1.9 million from 900 members, most of whom live within two miles of the
            market. The smallest stake was £50.

            ## Ice first, grid second

            The market's freezers and ice machines run day and night and were its largest
            running cost. Under the co-operative's deal with the traders, the panels supply
            the market first, at a price fixed for twenty years below what the traders paid
            before. The surplus is sold to the grid.

            "Fish and sunshine don't sound like natural partners," said the co-operative's
            chair, Lorna Keswick. "But a market needs a lot of cold, and the sun is strongest
            exactly when the cold is hardest to keep."

            > "For the first time in years I know what my electricity bill will be next
            winter," said Jonah Pirie, who runs a shellfish stall. "That's worth more to me
            than any green badge."

            ## What members get

            Members can expect a return of around 4% a year, and each has one vote at the
            annual meeting, however much they put in. Part of the surplus goes into a fund for
            draught-proofing homes in Greyhythe; the first 40 grants will be awarded soon.

            The roof was not simple. Its Victorian timber frame had to be strengthened before
            it could carry the weight, and the city's conservation officers insisted that no
            panel be visible from the street. That added six months and £200,000.

            The co-operative already has its eye on a second site, the roof of the Northgate
            bus depot, which it says could be twice the size. A [public
            meeting](https://example.org/greyhythe-energy/meeting) is planned for next month.
            """
        ),
        section="climate",
        tags=("energy", "harbourton"),
        authors=("tobias-wrenhall",),
        picture="skyline",
        image_alt=(
            "Illustration: a city skyline in shades of green with a low sun behind it, "
            "reflected in the harbour."
        ),
        image_caption="The market hall roof faces south over the water: ideal, it turns out.",
        age=_ago(9, 5),
    ),
    DemoArticle(
        slug="harbourton-library-now-lends-drills-tents-and-sewing-machines",
        headline="Borrow a drill, a tent or a sewing machine: Harbourton's library of things opens",
        standfirst=(
            "The Free Library on Chandler Street now lends 600 household objects alongside its "
            "books. In its first fortnight the most borrowed item was a carpet cleaner."
        ),
        body=_text(
            """
            The busiest shelf at Harbourton Free Library is no longer crime fiction. Since the
            library began lending household objects a fortnight ago, its carpet cleaner has
            been out every single day, and the pressure washer is booked until the end of the
            month.

            The library of things fills what was once the periodicals room at the Chandler
            Street branch. It holds around 600 objects, from drills and ladders to camping
            stoves, a projector, sewing machines and two ice-cream makers. Anyone with a
            library card can borrow three items at a time, for a week, for free.

            ## Why lend a drill?

            The idea came from the staff, who noticed how often people asked whether they
            could borrow something for a single job.

            "A household drill is used for a few minutes in its whole life," said the branch
            manager, Olu Brannigan. "Everybody needs one occasionally. Nobody needs one in
            every flat in the building."

            Most of the stock was given by residents after an appeal in the spring. A small
            grant from the city council paid for safety testing of anything electrical,
            barcode labels and a cabinet of spare parts.

            ## The most borrowed so far

            - the carpet cleaner, out 14 times in 14 days;
            - a wallpaper steamer;
            - a four-person tent, booked every weekend until the autumn;
            - a children's karaoke machine, which staff describe as "surprisingly robust".

            > "I moved into my first flat with a suitcase and a kettle," said Rosa Feeney, 23,
            who borrowed a drill and a spirit level to put up shelves. "I'd have spent a
            fortnight's food money on tools I'd use once."

            Volunteers run a repair session on the first Saturday of each month, where
            borrowers can learn to fix what they break and anyone can bring a broken toaster
            or lamp.

            The library is still hoping for a lawnmower, a pasta machine and a good telescope.
            Donations can be [offered online](https://example.org/harbourton-library/things).
            """
        ),
        section="news",
        tags=("harbourton",),
        authors=("ines-carrow", "maren-oduya"),
        picture="shapes",
        image_alt=(
            "Abstract illustration: overlapping circles, half-discs and bars in sand, "
            "charcoal and gold on a dusky gradient."
        ),
        image_caption="The old periodicals room now holds everything from ladders to a tent.",
        age=_ago(13, 3),
    ),
    DemoArticle(
        slug="kelderby-pupils-send-weather-balloon-31-kilometres-up",
        headline="Kelderby pupils send a weather balloon 31 kilometres up, and get it back",
        standfirst=(
            "A school physics club spent eight months building a payload of cameras and "
            "sensors. It came down in a sheep field 60 kilometres away with every photograph "
            "intact."
        ),
        body=_text(
            """
            At 31,200 metres above the Ambry Valley the air is about a hundredth as thick as
            at sea level, the temperature is around minus 50C, and the sky is black at midday.
            A camera built by a group of fourteen- and fifteen-year-olds from Kelderby Academy
            has the pictures to prove it.

            The school's physics club launched its balloon from the playing field on a still
            morning last month. Two hours and eleven minutes later the balloon burst, as
            planned, and the payload parachuted back to earth, landing in a sheep field near
            Upper Thornlow, 60 kilometres to the east.

            ## What went up

            The payload, a polystyrene box the size of a shoebox, carried:

            - two small cameras, one looking down and one at the horizon;
            - sensors for temperature, pressure and humidity;
            - a GPS tracker that radioed its position every 30 seconds;
            - a knitted penguin called Professor Flap, for luck.

            All of it had to weigh less than a kilogram, and the launch needed permission from
            the aviation authorities, which took the club three attempts.

            "The hardest part wasn't the electronics, it was the paperwork," said Maya
            Crossley, 15, who led the tracking team. "We had to prove we wouldn't hit a plane."

            ## The chase

            A car of teachers and two parents followed the signal along the valley. They found
            the box tangled in a hawthorn hedge, watched by a small crowd of sheep.

            > "When we opened the camera and saw the curve of the Earth, half the room
            screamed," said the club's teacher, Desmond Fairweather. "A year ago some of these
            pupils weren't sure physics was for them."

            The readings showed the temperature falling steadily to about 12 kilometres and
            then, to the pupils' delight, rising again in the stratosphere, exactly as their
            textbook said it would.

            The club is writing up its results for a national schools science competition and
            plans a second launch next year, carrying seeds to see how they survive the cold.
            """
        ),
        section="science",
        tags=("education",),
        authors=("priya-halloway",),
        picture="orbits",
        image_alt=(
            "Illustration: a pale blue planet circled by thin orbit lines and small moons, "
            "against a starry violet sky."
        ),
        image_caption="From 31 kilometres up, the sky over the valley is black even at midday.",
        age=None,  # a draft an editor is still working on
    ),
    DemoArticle(
        slug="ambry-valley-sportive-2000-riders-one-very-steep-hill",
        headline="Ambry Valley Sportive: 2,000 riders, 110 kilometres and one very steep hill",
        standfirst=(
            "The valley's biggest cycling event returns this weekend with a new climb over "
            "Thornlow Bank. Here is what riders, and anyone driving in the valley, need to "
            "know."
        ),
        body=_text(
            """
            Around 2,000 cyclists are expected at the start in Harbourton's Market Square for
            the Ambry Valley Sportive, the region's largest mass bike ride, which this year
            takes in one of the steepest climbs in the county.

            Organised by the Ambry Valley Wheelers, the ride is not a race: nobody wins, and
            riders are timed only so they can compare notes afterwards. It raises money for
            the Kelderby lifeboat and for a charity that gives bikes to children who don't
            have one.

            ## The routes

            Riders choose from three distances:

            - **Short**, 40 kilometres: a flat loop along the estuary to Saltmarsh Quay and
            back;
            - **Medium**, 75 kilometres: out to Wrenfield and along the river, with two gentle
            climbs;
            - **Long**, 110 kilometres: the whole valley, including the new ascent of Thornlow
            Bank.

            ## That hill

            Thornlow Bank rises 180 metres in a little over a kilometre and a half, with a
            stretch near the top where the gradient touches 20%. The organisers added it after
            riders asked for "something to talk about in the pub".

            "We have been very clear that walking is allowed," said the Wheelers' event
            director, Bernadette Quayle. "There will be more people pushing than riding on the
            last bend, and there will be cake at the top either way."

            > "I've ridden it three times and it has beaten me twice," said Martin Pelham, at
            78 the club's oldest member, who has entered the long route. "The third time I had
            a better bike."

            ## Roads

            There are no full road closures, but drivers should expect cyclists and marshals
            on the valley roads between 7am and 4pm. Between 9am and 2pm, Thornlow Bank itself
            will be one-way, downhill only, for cars.

            Entries close at midnight on the eve of the ride, and [route maps and start
            times](https://example.org/ambry-sportive) are on the Wheelers' website.
            Spectators are welcome anywhere along the way; the organisers recommend the top of
            Thornlow Bank for anyone who wants to see the effort on people's faces.
            """
        ),
        section="sport",
        tags=("cycling", "transport"),
        authors=("rafe-dunmore",),
        picture="hills",
        image_alt="Illustration: rolling green hills under a bright sun and a clear blue sky.",
        image_caption="Thornlow Bank: 180 metres of climbing, and cake at the top.",
        age=-_ago(2),  # scheduled: appears by itself in two days
    ),
]


# --- Loading -----------------------------------------------------------------------------------


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


_Named = TypeVar("_Named", Section, Tag)


def _named(model: type[_Named], slug: str, name: str, **defaults: object) -> tuple[_Named, bool]:
    """The section or tag with this slug, or failing that this name; created if neither."""
    found = model.objects.filter(slug=slug).first() or model.objects.filter(name=name).first()
    if found is not None:
        return found, False
    return model.objects.create(slug=slug, name=name, **defaults), True


def load_articles(stdout: TextIO | None = None) -> int:
    """Add the demo sections, tags, authors and articles that are missing; return how many
    articles were created.

    Safe to run twice: everything is matched by slug, and an article that already exists is
    left exactly as it is (an editor may have changed it). Publication times are relative to
    now, so a fresh site always looks current.
    """
    now = timezone.now().replace(second=0, microsecond=0)
    counts = {"sections": 0, "tags": 0, "authors": 0}

    sections: dict[str, Section] = {}
    for position, (slug, name, description) in enumerate(SECTIONS, start=1):
        sections[slug], created = _named(
            Section, slug, name, description=description, position=position
        )
        counts["sections"] += created
    tags: dict[str, Tag] = {}
    for slug, name in TAGS:
        tags[slug], created = _named(Tag, slug, name)
        counts["tags"] += created
    authors: dict[str, Author] = {}
    for slug, name, bio in AUTHORS:
        authors[slug], created = Author.objects.get_or_create(
            slug=slug, defaults={"name": name, "bio": bio}
        )
        counts["authors"] += created

    existing = set(
        Article.objects.filter(slug__in=[a.slug for a in ARTICLES]).values_list("slug", flat=True)
    )
    created_articles: dict[str, Article] = {}
    for demo in ARTICLES:
        if demo.slug in existing:
            continue
        article = Article(
            headline=demo.headline,
            slug=demo.slug,
            standfirst=demo.standfirst,
            body=demo.body,
            section=sections[demo.section],
            image_alt=demo.image_alt,
            image_caption=demo.image_caption,
            image_credit=CREDIT,
            status=Article.Status.DRAFT if demo.age is None else Article.Status.PUBLISHED,
            published_at=None if demo.age is None else now - demo.age,
            updated_at=None if demo.updated_age is None else now - demo.updated_age,
            featured=demo.featured,
            comments_open=demo.comments_open,
            comments_premoderated=demo.comments_premoderated,
            comments_close_after_days=demo.comments_close_after_days,
        )
        jpeg = make_lead_image(demo.slug, demo.section, demo.picture)
        article.lead_image.save(f"{demo.slug}.jpg", ContentFile(jpeg), save=False)
        article.save()
        article.tags.set([tags[slug] for slug in demo.tags])
        article.authors.set([authors[slug] for slug in demo.authors])
        created_articles[demo.slug] = article
        _say(stdout, f"  {article.state}: {article.headline}")

    # Editors' picks for "More on this topic", only on articles made just now.
    by_slug = {a.slug: a for a in Article.objects.filter(slug__in=[a.slug for a in ARTICLES])}
    for demo in ARTICLES:
        article = created_articles.get(demo.slug)
        picks = [by_slug[slug] for slug in demo.related if slug in by_slug]
        if article is not None and picks:
            article.related_picks.add(*picks)

    _say(
        stdout,
        f"Articles: {len(created_articles)} created, {len(ARTICLES) - len(created_articles)} "
        f"already there (sections +{counts['sections']}, tags +{counts['tags']}, "
        f"authors +{counts['authors']}).",
    )
    return len(created_articles)
