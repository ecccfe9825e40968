"""
The demo newsroom's content, written for this project.

Facts about UK–Japan relations are public record; every sentence here is our
own. ``seed_demo`` (core/management/commands) loads it; nothing else imports it.
"""

SECTIONS = [
    ("World", "world", "Reporting from capitals and conflict zones."),
    ("Defence", "defence", "Armed forces, alliances and the politics of security."),
    ("Business", "business", "Markets, trade and the companies that move them."),
    ("Technology", "technology", "Chips, code and the rules that govern them."),
]

AUTHORS = [
    (
        "Daniel Perez",
        "daniel-perez",
        "News Editor",
        "Daniel runs the news desk and writes on diplomacy and alliances.",
    ),
    (
        "Amara Okafor",
        "amara-okafor",
        "Defence Correspondent",
        "Amara covers the armed forces, procurement and defence policy.",
    ),
    (
        "Kenji Watanabe",
        "kenji-watanabe",
        "Tokyo Correspondent",
        "Kenji reports on Japanese politics and the wider region from Tokyo.",
    ),
    (
        "Sophie Laurent",
        "sophie-laurent",
        "Business Reporter",
        "Sophie follows trade, shipping and the energy markets.",
    ),
    (
        "Priya Natarajan",
        "priya-natarajan",
        "Technology Editor",
        "Priya edits the technology pages and writes about regulation.",
    ),
]

REFERENCE_BODY = """
<p>Britain is examining whether to put its security relationship with Japan on a
treaty footing, a step that would make Tokyo something close to a formal ally of
the United Kingdom, according to reports from Nikkei. Officials on both sides
have started to describe the idea with a phrase borrowed from Japanese
diplomacy: a “quasi-ally”.</p>

<h2>What is the objective of the proposed treaty?</h2>
<p>The aim, as described in the reports, is to turn a set of separate
arrangements into one lasting commitment. The two governments already train
together under a reciprocal access agreement and are building a new fighter jet
with Italy. A treaty would bind future governments to consult each other in a
crisis and make joint planning routine rather than occasional.</p>

<h2>Why would Japan be called a “quasi-ally”?</h2>
<p>Japan has one treaty ally, the United States. Tokyo uses the word
“quasi-ally” for partners with whom it cooperates almost as closely but without
a mutual defence clause; Australia is the usual example. Placing Britain in the
same category would signal that London is more than a friendly visitor to the
region.</p>

<h2>How does this fit Britain's turn towards the Indo-Pacific?</h2>
<p>Successive British governments have said that security in Europe and in the
Indo-Pacific can no longer be treated apart. Carrier deployments, port visits and
joint exercises have given that policy a visible form. A treaty with Japan would
give it a legal one, and would be watched closely in Beijing and in Washington.</p>

<h2>What happens next?</h2>
<p>Nothing has been signed, and the reports describe the discussions as early.
Any text would have to be negotiated, approved by both cabinets and, in Japan,
put before the Diet. Officials expect the question to come up at the next
meeting of the two countries' foreign and defence ministers.</p>
"""

REFERENCE = {
    "slug": "uk-considers-security-treaty-with-japan-as-quasi-ally",
    "headline": "UK Considers Security Treaty with Japan as “Quasi-Ally”",
    "dek": (
        "Japan and the United Kingdom Deepen Security Ties Amidst Shifting "
        "Global Alliances"
    ),
    "section": "defence",
    "authors": ["daniel-perez"],
    "tags": ["Japan", "United Kingdom", "Defence", "Indo-Pacific"],
    "hours_ago": 3,
    "lead_image": {
        "alt": "Japan's red sun disc beside the crosses of the Union Flag",
        "caption": "Two flags, one question: how close can partners get without "
        "an alliance treaty?",
        "credit": "Newsroom graphics",
    },
    "body": REFERENCE_BODY,
    # A placeholder id of the right shape: the demo has no network to check one.
    "video_url": "https://www.youtube.com/watch?v=Qa1Ja2Uk3Tr",
    "video_title": (
        "The U.S.–Japan Security Treaty Explained – 日米安全保障条約を読み解く"
    ),
    "takeaways": [
        (
            "Strategic Diversification",
            "Japan would add a second close security partner beyond the United States.",
        ),
        (
            "Legal Footing",
            "A treaty would turn separate defence arrangements into one commitment.",
        ),
        (
            "Indo-Pacific Tilt",
            "Britain's interest in the region would gain a binding form.",
        ),
        ("Early Stage", "No text exists yet, and both parliaments would have a say."),
    ],
}

REFERENCE_CORRECTION = (
    "An earlier version of this report said the fighter jet programme was shared "
    "with France. Britain and Japan are building it with Italy."
)

ARTICLES = [
    {
        "slug": "what-the-reciprocal-access-agreement-allows",
        "headline": "What the UK–Japan Reciprocal Access Agreement Allows",
        "dek": "Troops can train on each other's soil with less paperwork.",
        "section": "defence",
        "authors": ["amara-okafor"],
        "tags": ["Japan", "United Kingdom", "Defence"],
        "hours_ago": 20,
        "body": "<p>The agreement sets the legal terms for British and Japanese "
        "forces visiting each other's country, from customs rules to who has "
        "jurisdiction if something goes wrong.</p><p>Before it, every exercise "
        "needed its own arrangements.</p>",
    },
    {
        "slug": "fighter-jet-partners-agree-next-design-phase",
        "headline": "Fighter Jet Partners Move to the Next Design Phase",
        "dek": "Britain, Japan and Italy share the cost of a new combat aircraft.",
        "section": "defence",
        "authors": ["amara-okafor", "kenji-watanabe"],
        "tags": ["Japan", "United Kingdom", "Defence", "Italy"],
        "hours_ago": 30,
        "body": "<p>Engineers from the three countries now work in one joint "
        "organisation. The hardest questions are about export rules and how the "
        "work is split between national industries.</p>",
    },
    {
        "slug": "tokyo-weighs-defence-budget-increase",
        "headline": "Tokyo Weighs How to Pay for a Larger Defence Budget",
        "dek": "Tax rises, bonds and spending cuts all have their critics.",
        "section": "world",
        "authors": ["kenji-watanabe"],
        "tags": ["Japan", "Defence"],
        "hours_ago": 40,
        "body": "<p>The government has committed to spending more on defence "
        "over several years. How to fund it divides the governing coalition.</p>",
    },
    {
        "slug": "indo-pacific-shipping-insurance-costs",
        "headline": "Shipping Insurers Reprice Risk in Asian Waters",
        "dek": "Premiums follow the headlines, brokers say.",
        "section": "business",
        "authors": ["sophie-laurent"],
        "tags": ["Shipping", "Indo-Pacific", "Trade"],
        "hours_ago": 50,
        "body": "<p>War-risk cover is priced voyage by voyage. Brokers say the "
        "price of a passage now moves within days of a diplomatic incident.</p>",
    },
    {
        "slug": "uk-japan-trade-deal-digital-chapter",
        "headline": "The Digital Chapter of the UK–Japan Trade Deal, Explained",
        "dek": "Data flows and source code get rules of their own.",
        "section": "business",
        "authors": ["sophie-laurent", "priya-natarajan"],
        "tags": ["Japan", "United Kingdom", "Trade"],
        "hours_ago": 70,
        "body": "<p>The agreement goes further than most on data: it limits when "
        "governments may demand that data stay inside their borders.</p>",
    },
    {
        "slug": "chipmakers-look-to-japan-for-new-plants",
        "headline": "Chipmakers Look to Japan for New Plants",
        "dek": "Subsidies and a deep supplier base draw investment.",
        "section": "technology",
        "authors": ["priya-natarajan"],
        "tags": ["Japan", "Semiconductors"],
        "hours_ago": 90,
        "body": "<p>Governments pay a share of the cost of new fabrication "
        "plants. Japan's offer comes with a supply chain already in place.</p>",
    },
    {
        "slug": "europe-energy-storage-winter",
        "headline": "Europe's Grid Operators Prepare for Still, Cold Weeks",
        "dek": "Batteries help for hours; long calm spells need more.",
        "section": "business",
        "authors": ["sophie-laurent"],
        "tags": ["Energy"],
        "hours_ago": 110,
        "body": "<p>When the wind drops for days, operators lean on gas plants "
        "and interconnectors. Storage that lasts longer is still scarce.</p>",
    },
    {
        "slug": "ai-rules-newsrooms-need-to-know",
        "headline": "Five Questions About the New AI Rules",
        "dek": "What changes for companies that build and use the models.",
        "section": "technology",
        "authors": ["priya-natarajan"],
        "tags": ["AI", "Regulation"],
        "hours_ago": 130,
        "body": "<h2>Who do the rules apply to?</h2><p>Both the builders of "
        "models and the businesses that put them to work.</p><h2>When do they "
        "start?</h2><p>In stages, over several years.</p>",
    },
    {
        "slug": "nato-partners-in-the-pacific",
        "headline": "Why NATO Talks to Partners in the Pacific",
        "dek": "Four countries far from the Atlantic attend its summits.",
        "section": "world",
        "authors": ["daniel-perez"],
        "tags": ["Diplomacy", "Defence", "Indo-Pacific"],
        "hours_ago": 150,
        "body": "<p>Japan, South Korea, Australia and New Zealand are not "
        "members, but they now sit at the table for part of each summit.</p>",
    },
    {
        "slug": "royal-navy-patrol-ships-in-asia",
        "headline": "The Royal Navy's Small Ships with a Long Reach",
        "dek": "Two patrol vessels keep a permanent British presence in Asia.",
        "section": "defence",
        "authors": ["amara-okafor"],
        "tags": ["United Kingdom", "Defence", "Indo-Pacific"],
        "hours_ago": 170,
        "body": "<p>They are modest ships, but staying in the region for years "
        "lets their crews build the working ties that visits cannot.</p>",
    },
    {
        "slug": "yen-and-the-bank-of-japan",
        "headline": "What a Weak Yen Means for Japanese Households",
        "dek": "Imports cost more; exporters and tourists see the other side.",
        "section": "business",
        "authors": ["kenji-watanabe", "sophie-laurent"],
        "tags": ["Japan", "Economy"],
        "hours_ago": 190,
        "body": "<p>Japan imports most of its food and fuel, so a weaker "
        "currency shows up quickly at the supermarket and on energy bills.</p>",
    },
    {
        "slug": "undersea-cables-protection",
        "headline": "Who Protects the Cables Under the Sea?",
        "dek": "Most of the world's data crosses the ocean floor.",
        "section": "technology",
        "authors": ["priya-natarajan", "amara-okafor"],
        "tags": ["Defence", "Internet"],
        "hours_ago": 210,
        "body": "<p>Cables are owned by companies but matter to governments. "
        "Repairs depend on a small fleet of specialised ships.</p>",
    },
    {
        "slug": "foreign-ministers-meeting-preview",
        "headline": "What to Watch at the Foreign Ministers' Meeting",
        "dek": "Security, trade and a possible treaty are on the agenda.",
        "section": "world",
        "authors": ["daniel-perez"],
        "tags": ["Diplomacy", "Japan", "United Kingdom"],
        # Scheduled: readers see it only when its time comes.
        "hours_ago": -20,
        "body": "<p>Ministers meet with a full agenda and little time.</p>",
    },
]

DRAFTS = [
    {
        "slug": "draft-carrier-group-returns",
        "headline": "Carrier Group Returns After Months in the Pacific",
        "dek": "A draft the desk is still working on.",
        "section": "defence",
        "authors": ["amara-okafor"],
        "tags": ["Defence"],
        "status": "draft",
        "body": "<p>Draft text, not for readers yet.</p>",
    },
    {
        "slug": "review-chip-export-controls",
        "headline": "New Export Controls on Chipmaking Tools",
        "dek": "Waiting for an editor.",
        "section": "technology",
        "authors": ["priya-natarajan"],
        "tags": ["Semiconductors", "Trade"],
        "status": "review",
        "body": "<p>Submitted for review.</p>",
    },
]

# (article slug, name, email, text, status, reply-to index or None)
COMMENTS = [
    (
        REFERENCE["slug"],
        "Hannah M.",
        "hannah@example.org",
        "Interesting that Australia is the usual comparison. Is there any sign the "
        "treaty would include a mutual defence clause?",
        "approved",
        None,
    ),
    (
        REFERENCE["slug"],
        "Takeshi",
        "takeshi@example.jp",
        "From Osaka: this gets more coverage here than I expected.\n"
        "People mostly ask what it costs.",
        "approved",
        None,
    ),
    (
        REFERENCE["slug"],
        "Daniel Perez",
        "daniel.perez@example.com",
        "Hannah, the reports describe consultation in a crisis, not an automatic "
        "defence commitment. We will follow up when there is a text.",
        "approved",
        0,
    ),
    (
        REFERENCE["slug"],
        "Guest reader",
        "guest@example.net",
        "First time commenting here. Good explainer.",
        "pending",
        None,
    ),
    (
        REFERENCE["slug"],
        "Link poster",
        "links@example.net",
        "More at https://example.com/a and https://example.com/b",
        "pending",
        None,
    ),
    (
        "what-the-reciprocal-access-agreement-allows",
        "Sam",
        "sam@example.org",
        "Useful background, thanks.",
        "approved",
        None,
    ),
]
