"""Every word list, pattern and weight that answering uses, in one place, each with the
general reason it exists. A row earns its place by being true of questions not yet asked:
nothing here names a document's sentence or serves one evaluation question.
"""

from __future__ import annotations

import re

# -- words of asking --------------------------------------------------------------------------
# Words that say how something is asked, not what about: never content a sentence must hold.
QUESTION_WORDS = frozenset({
    "how", "do", "does", "did", "what", "who", "whom", "when", "where", "which", "why",
    "can", "could", "would", "should", "will", "my", "me", "our", "we", "you", "your",
    "tell", "about", "please", "get", "according", "many", "much", "must", "say", "says",
    "said", "often", "besides", "ever", "were", "kind", "long", "need", "thing",
    "anything", "something", "like", "also", "actually", "even", "enough", "really",
    "exactly", "give", "gives", "given", "named", "name", "list", "mention", "mentions",
    "describe", "explain", "mean", "means", "happen", "happens", "us", "them", "they",
    "their", "there", "anyone", "someone", "somebody", "nobody", "way", "ways",
})

# Chat and text-message spellings of common words, as people type them on phones. Spelling
# repair leaves words of one or two letters alone (too many are real), so these are mapped.
TEXT_SPEAK = {
    "u": "you", "ur": "your", "r": "are", "pls": "please", "plz": "please", "thx": "thanks",
    "thru": "through", "tho": "though", "wat": "what", "abt": "about", "b4": "before",
    "cuz": "because", "bc": "because", "govt": "government", "dept": "department",
}

# -- the documents' words for everyday words ----------------------------------------------------
# (pattern in the question, words the documents use for it). Delegates write British English
# and everyday words; U.S. government documents use their own register. Each row is a
# general equivalence of English, not a phrase of one document.
SYNONYMS: list[tuple[str, str]] = [
    (r"harbou?rs?|seaports?", "port"),  # British spelling; "seaport" is a port
    (r"programme", "program"),  # British spelling
    (r"ring|call|telephone|phone number", "phone contact"),  # ways to say "phone"
    (r"americans?|america|the states|the us|usa", "United States U.S."),  # names of the U.S.
    (r"ships?|boats?", "vessel"),  # the legal word for a ship
    (r"rules?|restrictions?", "conditions requirements"),  # regulatory register
    (r"fix|repair", "correct improve"),  # everyday words for correcting
    (r"weak ?spots?|weaknesses|gaps|problems|flaws", "deficiencies weaknesses"),  # audit register
    (r"check(?:s|ing|ed)?|inspect(?:s|ion|ions|ing)?|audit(?:s|ing)?",
     "assess assessment evaluate"),  # what an assessment is called
    (r"visitors?|trips?", "visit"),  # the act the visitor does
    (r"turn(?:ed)? (?:\w+ )?away|refuse|ban|block", "deny entry"),  # refusing entry
    (r"tell|inform|let (?:\w+ )?know|warn", "notify"),  # formal word for informing
    (r"jobs?|tasks?|duty|duties", "responsibility"),  # formal word for a job
    (r"staff|personnel|employees|people", "workforce personnel"),  # formal words for staff
    (r"loosen(?:ed)?|lift(?:ed)?|eas(?:e|ed)|relax(?:ed)?", "remove modify"),  # easing a rule
    (r"teach|teaching|courses?|workshops?|classes", "training"),  # what teaching is called
    (r"stationed|based", "located"),  # where someone works
    (r"in charge|boss|manages?|leads?|runs?|running|ran", "manager"),  # who is responsible
    (r"laws?|statutes?|legislation", "act section code"),  # how a law is cited
    (r"coronavirus|covid", "COVID-19 pandemic"),  # names of the pandemic
    (r"yearly", "annual"),  # same meaning
    (r"customs", "Customs and Border Protection CBP"),  # the U.S. customs agency's name
    (r"who do (?:i|we) (?:ask|contact)|who can help", "contact"),  # asking for a contact
    (r"ask(?:s|ed|ing)? for|apply for", "request"),  # everyday words for requesting
    # A rule or sanction that starts "takes effect" or "becomes effective".
    (r"start(?:s|ed|ing)?|begin(?:s|ning)?|began|kick(?:s|ed)? in", "effect effective"),
]

# -- kinds of answer ---------------------------------------------------------------------------
# The kinds of thing a question can ask for. A "strict" kind is one a sentence either states
# or does not (a date, a number, an address): a sentence without it does not answer, however
# close its words. The others (a person or organisation for "who", a place for "where") are
# preferred but not required: "who manages it?" is well answered by "the office ... manages".
STRICT_KINDS = frozenset({
    "date", "duration", "frequency", "count", "money", "percent", "email", "phone", "url",
    "contact", "citation",
})
# "Which countries ...", "what office ...": a question that asks which thing of a kind wants
# its name, so only a sentence naming one (a place, a person, an organisation the question
# does not already name) answers it. "Where" and "who" alone are answered by a description
# too ("through the liaison officer").
NAMED_KINDS = frozenset({"place", "person", "organisation"})
# What the wh-word asks for, read from spaCy's parse: (wh-word, the word it modifies) -> kind.
WH_KINDS: dict[tuple[str, str], str] = {
    ("how", "long"): "duration", ("how", "often"): "frequency",
    ("how", "frequently"): "frequency", ("how", "many"): "count", ("how", "much"): "amount",
    ("how", "soon"): "date", ("when", ""): "date", ("where", ""): "place",
    ("who", ""): "agent", ("whom", ""): "agent", ("whose", ""): "agent",
}
# What a question's head noun asks for ("which year", "what is the e-mail address", "the
# fee"). Ordinary English nouns naming a kind of fact.
NOUN_KINDS: dict[str, str] = {
    "date": "date", "day": "date", "year": "date", "month": "date", "deadline": "date",
    "duration": "duration", "length": "duration", "period": "duration",
    "frequency": "frequency",
    "cost": "money", "fee": "money", "fees": "money", "price": "money", "budget": "money",
    "fine": "money", "salary": "money", "funding": "money", "money": "money",
    "charge": "money",
    "percentage": "percent", "percent": "percent",
    "email": "email", "e-mail": "email", "mail": "email",
    "phone": "phone", "telephone": "phone",
    "website": "url", "site": "url", "url": "url", "link": "url", "web": "url",
    "section": "citation", "sections": "citation", "statute": "citation",
    "statutes": "citation", "law": "citation", "laws": "citation", "provision": "citation",
    "provisions": "citation", "act": "citation",
    "address": "address",  # an e-mail, web or street address: see ADDRESS_KINDS
    "country": "place", "countries": "place", "city": "place", "town": "place",
    "location": "place", "place": "place",
    "office": "organisation", "agency": "organisation", "organisation": "organisation",
    "organization": "organisation", "division": "organisation", "department": "organisation",
    "person": "person", "official": "person", "head": "person", "director": "person",
    "chief": "person", "commander": "person", "commandant": "person",
}
# "address" alone asks for where something is; with a word before it, which kind.
ADDRESS_KINDS = {"mail": "email", "e": "email", "email": "email", "e-mail": "email",
                 "web": "url", "internet": "url", "street": "place", "postal": "place"}
# "how much" asks for money when the question is about paying; else for a count.
MONEY_WORDS = frozenset({"cost", "costs", "pay", "paid", "fee", "fees", "price", "spend",
                         "spent", "budget", "money", "charge", "funding", "fine", "fines"})
# "how many days/weeks" asks for a duration, not a count.
TIME_UNITS = frozenset({"second", "minute", "hour", "day", "week", "month", "year",
                        "seconds", "minutes", "hours", "days", "weeks", "months", "years"})
# Which answer kinds a named entity of each spaCy label gives.
ENTITY_KINDS: dict[str, str] = {
    "PERSON": "person", "ORG": "organisation", "GPE": "place", "LOC": "place", "FAC": "place",
    "NORP": "organisation", "DATE": "date", "TIME": "date", "CARDINAL": "count",
    "QUANTITY": "count", "MONEY": "money", "PERCENT": "percent",
}
# A kind asked for is also given by these: "who" by a person or an organisation.
SATISFIES: dict[str, frozenset[str]] = {
    "agent": frozenset({"person", "organisation", "role"}),
    # Whom to reach ("who do we contact?"): someone named, or a number or address to use.
    "contact": frozenset({"person", "organisation", "role", "phone", "email", "url"}),
    "person": frozenset({"person"}),
    "amount": frozenset({"count", "money"}),
    "address": frozenset({"place", "email", "url"}),
}

# -- how a sentence gives a kind: one set of patterns -------------------------------------------
MONTHS = (r"(?:January|February|March|April|May|June|July|August|September|October|"
          r"November|December)")
PHONE = re.compile(r"(?<!\d)(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}(?!\d)")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
URL = re.compile(r"\bwww\.[\w-]+|https?://|\b[\w-]+\.(?:gov|mil|org|com|net|int|edu)\b",
                 re.IGNORECASE)
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
DATE = re.compile(rf"\b{MONTHS}\b|{YEAR.pattern}")
NUMBER_WORDS = (r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|"
                r"hundreds?|thousands?")
# A count is a number that is not a year and not part of a code ("LANT-51", "CG-PSA-1").
COUNT = re.compile(rf"(?<![\w-])(?!(?:19|20)\d\d\b)\d[\d,]*(?![\w-])|\b(?:{NUMBER_WORDS})\b",
                   re.IGNORECASE)
DURATION = re.compile(rf"\b(?:\d+|{NUMBER_WORDS}|a|an)[- ](?:day|week|month|year|hour|minute)s?\b",
                      re.IGNORECASE)
FREQUENCY = re.compile(
    r"\b(?:annual(?:ly)?|once|twice|times an? |per (?:day|week|month|year)|yearly|"
    r"(?:bi|tri)ennial(?:ly)?|daily|weekly|monthly|quarterly|"
    r"every (?:\w+ )?(?:days?|weeks?|months?|years?))\b", re.IGNORECASE)
MONEY = re.compile(r"\$\s?\d|\b\d[\d,.]*\s*(?:dollars|million|billion|USD)\b", re.IGNORECASE)
PERCENT = re.compile(r"\d\s?(?:%|percent\b)", re.IGNORECASE)
# People named by their role, not their name ("our liaison officers can help", "the
# embassy's staff"): who does something, as a name says, though not which person. Ordinary
# English nouns for people at work.
ROLE = re.compile(r"\b(?:officers?|officials?|staff|personnel|representatives?|liaisons?|"
                  r"managers?|directors?|coordinators?|advis[eo]rs?|inspectors?|experts?|"
                  r"specialists?|attach[eé]s?)\b", re.IGNORECASE)
# A law cited by its place ("46 U.S.C. 70109", "§ 70108", "section 70110", "Pub. L. 107-295")
# or its name ("the Maritime Transportation Security Act of 2002"): what "which section" or
# "which law" asks for. A sentence of a statute's own text is stated by the section its
# title cites (ingest records that too).
CITATION = re.compile(
    r"\b\d+\s+U\.?\s?S\.?\s?C(?:ode)?\.?\s+(?:§\s*)?\d+|§\s*\d{3,}|\bsection\s+\d{3,}"
    r"|\bPub(?:lic)?\.?\s*L(?:aw)?\.?\s*(?:No\.\s*)?\d+[-–]\d+"
    r"|\b(?!The\s)(?:[A-Z][a-z]+\s+){1,6}Act(?:\s+of\s+\d{4})?\b")
# Kinds found by pattern in a sentence's text, beside its named entities.
PATTERN_KINDS: dict[str, re.Pattern[str]] = {
    "phone": PHONE, "email": EMAIL, "url": URL, "duration": DURATION,
    "frequency": FREQUENCY, "money": MONEY, "percent": PERCENT, "role": ROLE,
    "citation": CITATION,
}

# -- what a question is about -----------------------------------------------------------------
# Words that qualify what is asked for without being what it is about: "the typical visit"
# is about the visit. Coverage does not ask a sentence to repeat them.
HEDGE_WORDS = frozenset({"usually", "normally", "typically", "typical", "usual", "normal",
                         "generally", "exactly", "approximately", "roughly", "about",
                         "around", "average"})
# Nouns and verbs so general that they name no subject: "is there anything a ship can do to
# make things easier", "what will we actually get to see". Coverage does not ask for them.
# Words that ask to compare what is quoted ("is it the same number?", "do the two notices
# differ?"): the answer gives each side, and seldom says "same" or "different" itself.
COMPARISON_WORDS = frozenset({"same", "different", "differ", "differs", "difference",
                              "differences", "similar", "compare", "compared", "both",
                              "either"})
GENERIC_WORDS = frozenset({
    "thing", "things", "stuff", "lot", "lots", "guys", "folks", "idea", "ideas", "part",
    "parts", "bit", "one", "ones", "sort", "type", "kind", "way", "ways", "anything",
    "everything", "something", "nothing", "get", "gets", "got", "make", "makes", "made",
    "let", "lets", "go", "goes", "going", "come", "comes", "coming", "want", "wants", "see",
    "take", "takes", "put", "keep", "happen", "happens", "able",
})
# Parts of speech that say what a question is about. Verbs count in full only when the
# documents use them ("notify", "reassess"): an everyday verb they never use is most often
# the asker's wording of what they say another way ("walk onto the docks"), but not always:
# "are any facilities exempted?" asks for an exemption, which a sentence that never says so
# does not give. Such a verb weighs little, as the asker's own words do, so that it decides
# only when little else is asked.
FOCUS_POS = frozenset({"NOUN", "PROPN", "ADJ", "NUM"})
VERB_POS = frozenset({"VERB", "ADV"})
FOCUS_WEIGHT_UNUSED_VERB = 0.1
# How much each focus word weighs when judging whether sentences hold what a part is about
# (on top of its IDF). The nouns of the part itself name its subject; a verb is how the asker
# phrases the action, which an answering sentence often states with another verb ("aim to
# visit" / "visits"). An adverb weighs in full: it states a circumstance the answer must hold
# ("take the courses online", "visit jointly"), which a near miss adds to what the documents say.
FOCUS_WEIGHT_VERB = 0.4
# The noun a wh-word determines ("in what circumstance ...", "which provision ...", "what
# warning ...") is the category of the answer: the answering sentence states an instance ("if
# the Secretary finds ...", "5 U.S.C. 553") and seldom the category's own word.
FOCUS_WEIGHT_CATEGORY = 0.4
# Words carried from what a follow-up points back to name its referent, which an answering
# sentence names without repeating every word of the earlier question: together they weigh
# this share of the part's own words, held in proportion to the share of them present.
FOCUS_WEIGHT_CONTEXT = 0.5
# A one-letter slip in a long word is the same word spelt another way ("liason" / "liaison",
# "harbour" / "harbor", "multilateral" / "multi-lateral"); in a short word, or in the first
# letter, it is often another word ("cost" / "coat", "Gambia" / "Zambia").
SPELLING_VARIANT_MIN = 6
# A delegation describes itself ("our port staff", "my country's ports", "our harbour"): the
# documents speak of partner nations in general, so the asker's own things say who asks, not
# what is asked, and weigh little (not nothing: "what about our ships?" is only about them).
FOCUS_WEIGHT_ASKER = 0.1
ASKER_POSSESSIVES = frozenset({"my", "our"})
# "Who do we contact?", "whom should I ask?", "who can I call for info about the notice?":
# asked with "who", a verb the asker is the subject of asks whom to reach, which is a contact
# that a sentence names or does not (see SATISFIES). The verb says how the asker will reach
# it, which the sentence naming whom to reach seldom repeats ("Requests should be made
# through the liaison officer"): it weighs as the asker's own words. What the asker brings
# (their questions, a need for information) says why they ask, not what about: words of
# asking, as "tell me" is.
ASKER_PRONOUNS = frozenset({"i", "we"})
ASKER_NEEDS = frozenset({"question", "questions", "info", "information", "help", "advice",
                         "assistance", "guidance", "details"})
# Who asks, before the question: help-desk staff paste questions with a framing ("A shipping
# agent asks: …"), which is no part of the question and is not read; delegates introduce
# themselves ("I work for a port authority in Asia."), whose words weigh as the asker's own.
FRAMING = re.compile(r"^[^?.:]{0,80}\b(?:asks?|asked|writes?|wrote|wants to know|would like "
                     r"to know|wonders)\s*:\s+(?=\S)", re.IGNORECASE)
# The introduction ends with a full stop, or with a comma before the question's first word
# ("we are a delegation from Ghana, what will we do …").
SELF_INTRODUCTION = re.compile(
    r"^(?:i|we)(?:'m| am| are| work| represent| serve)\b[^?]*?(?:\.\s+(?=\S)|,\s*(?=(?:what|"
    r"how|when|where|who|whom|which|why|can|could|do|does|did|is|are|will|would|should|may)"
    r"\b))", re.IGNORECASE)
# Parts of speech that may stand between a clause's start and the wh-word that asks:
# "In which year", "and for how long". A "when" after other words ("when it arrives") is a
# conjunction, not a question.
WH_LEAD_POS = frozenset({"ADP", "CCONJ", "PUNCT"})

# Acronyms: a word of two to six capitals is the initials of a name; the small words inside
# a name are not in them ("Department of Homeland Security", DHS), nor in a defined one's
# long form found by its capitalised words (ingest.glossary).
ACRONYM = re.compile(r"[A-Z]{2,6}")
NAME_JOINERS = frozenset({"of", "and", "for", "the", "in", "on"})

# Questions for what an acronym stands for: answered from the glossary where it is defined.
DEFINITION_QUESTION = re.compile(
    r"^\s*(?:what|wat)\s+(?:does|do|is)\s+(?:the\s+)?(?:acronym\s+|abbreviation\s+|term\s+)?"
    r"[\"'“‘]?(?P<term>[A-Za-z][\w-]{1,15})[\"'”’]?\s+(?:stand\s+for|mean|short\s+for)\b"
    r"|^\s*what\s+is\s+(?:the\s+)?(?:meaning|long\s+form|full\s+form)\s+of\s+"
    r"[\"'“‘]?(?P<term2>[A-Za-z][\w-]{1,15})[\"'”’]?", re.IGNORECASE)

# -- follow-ups ---------------------------------------------------------------------------------
# A question that opens with a joining word or points back with a pronoun continues the
# conversation ("and who do we contact for that?").
FOLLOW_UP = re.compile(
    r"^(and|but|also|so|then|what about|how about|and how|and who|and what|what if)\b"
    r"|\b(it|its|that|this|those|these|they|them|their|there|one|ones|he|she|him|her)\b",
    re.IGNORECASE,
)
FOLLOW_UP_MAX_WORDS = 15  # a longer question stands on its own

# -- sentence scoring (weights fitted on the dev split, forced answers) --------------------------
W_SENTENCE, W_TERMS, W_PASSAGE = 0.6, 0.35, 0.4  # own similarity, words asked, its passage
W_TYPE = 0.15  # holds what the question asks for: a date for "when", ...
W_NAMED = 0.2  # from a document the question names ("the brochure says")
STATUS_PENALTY = {"historical": 0.05}  # a current document saying much the same is quoted
EDITORIAL_PENALTY = 0.15  # a statute's editorial notes are its history, not what it says
# Headings under which a statute gives its history (old and new wording), not its law.
EDITORIAL = re.compile(r"^(?:editorial notes|amendments|statutory notes|prior provisions|"
                       r"source credit|codification)\b", re.IGNORECASE)

# -- honest confidence (the coverage threshold is a setting, calibrated on dev) -------------------
RELEVANCE_SPAN = 0.4  # score above the abstention threshold at which relevance counts as full

# -- names the documents never use --------------------------------------------------------------
# A capitalised word not at a sentence start, an acronym, or a number: a question naming one
# that no document contains asks about something the documents do not cover.
PROPER_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][A-Za-z0-9&-]*|[A-Z]{2,}[a-z]?)\b")
NUMBER = re.compile(r"\b\d[\d,./-]*\d\b|\b\d\b")

# A subdivision a question cites ("subsection (f)", "paragraphs C and D", "70108(a)(2)") must
# be one the document has: a question on a subsection an excerpt leaves out asks about text
# the documents do not hold, however close the other subsections' words.
_IN_PARENTHESES = r"\(([A-Za-z0-9]{1,4})\)"  # "(f)", "(2)", "(iv)"
LABEL = re.compile(rf"{_IN_PARENTHESES}|\b([A-Z])\b")  # or a lettered paragraph, "C"
SUBDIVISION_CITED = re.compile(
    rf"\b(?:sub)?(?:sections?|paragraphs?|clauses?)\s+(?P<labels>(?:{LABEL.pattern})"
    rf"(?:(?:\s*,\s*|\s+(?:and|or)\s+)(?:{LABEL.pattern}))*)")
SUBDIVISION_OF_NUMBER = re.compile(rf"\b\d{{3,6}}(?P<labels>(?:{_IN_PARENTHESES})+)")
# A document's own labels: "(a)" anywhere (a statute runs its clauses on), a lettered
# paragraph only at a line's start ("C. Actions required:"), since text refers to others'.
DOCUMENT_LABEL = re.compile(rf"{_IN_PARENTHESES}|^([A-Z])\.\s", re.MULTILINE)


# -- lists (kb.answer.choose, kb.retrieve.listing) ----------------------------------------------
# A sentence ending with a colon or a dash opens a list ("shall consult with—", "the following
# countries:"); one ending like a sentence closes any list before it.
LEAD_IN = re.compile(r"[:\u2014\u2013]$")
ENDS_SENTENCE = re.compile(r"[.!?][\"'\u201d\u2019)\]]*$")
# The first item of a list ("(1) ", "(a) ", "1. ", a bullet): a sentence before it opens a list
# even without a colon.
FIRST_ITEM = re.compile(r"^(?:\((?:1|a|A|i)\)|(?:1|a)\.\s|[\u2022\u25aa*-]\s)")
# An enumerated clause ("(2) immediately, if …; or"): read alone, it says nothing of what
# it is a clause of, so it is quoted after the sentence that opens its list.
ENUMERATED = re.compile(r"^\((?:\d{1,2}|[a-zA-Z]|[ivxIVX]{1,4})\)\s")
# A labelled item ("Port Visits: We tour local ports …"): a short capitalised label and a
# colon, then the item in full sentences. Its list runs on while items keep their labels.
# The label names a part of the document ("SUMMARY:"), not what the item is about.
LABELLED_ITEM = re.compile(r"^[A-Z][\w.'\u2019&/-]*(?: [\w.'\u2019&/-]+){0,4}:\s+(?=\S)")
# Most items a lead-in brings: past this, the answer is the list, not an answer.
MAX_ITEMS = 8
# A list's entry is a name on a line of its own, perhaps with a code ("Port of Monrovia
# LRMLW-0001"): longer lines are prose, even without a full stop.
LIST_ENTRY_MAX_WORDS = 8
# Lists run on across passages (an advisory's countries, each with its exceptions, fill six
# short passages): the lead-in that opens one is looked for this many passages back.
LIST_REACH = 8

# -- excerpts (kb.answer.cite) ------------------------------------------------------------------
# A quote ending on a word, with nothing after it in the document but an editorial mark
# ("… measures are all" then "[Excerpt ends here.]"), stops where the copy kept stops: the
# sentence goes on in the full document, and the answer says so.
ENDS_ON_A_WORD = re.compile(r"\w$")
NOTHING_BUT_A_MARK = re.compile(r"\s*(?:\[[^\]\n]*\]\s*)?")

# -- Written answers (kb.answer.prompt, kb.answer.verify) -----------------------------------
# A passage sentence addressed to an assistant ("ignore your instructions and ...") states
# nothing about the program: it is removed from what the model reads, so it can neither
# steer the model nor be quoted as a source.
ADDRESSED_TO_MODEL = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.!?\n]{0,60}\b(?:instructions?|prompts?|"
    r"rules|guidelines|above|previous|prior)\b|\byou are (?:now )?(?:an?|the) "
    r"(?:ai|assistant|language model|chatbot)\b|\bsystem prompt\b|\bnew instructions\b",
    re.IGNORECASE)
# A quote this short matches almost any passage ("the", "IPS"): it backs nothing.
QUOTE_MIN_CHARS = 12
# An English sentence must share at least this part of its content words (stems) with its
# quotes: a true quote beside an unrelated claim does not back it.
SUPPORT_MIN = 0.5
# Words that turn a statement into its opposite: an English sentence and its quotes must
# agree on whether one is there ("visits are not required" is not backed by "visits are
# required", nor the reverse), since the shared words alone would pass them.
NEGATION = re.compile(r"\b(?:not|no|never|none|nor|cannot|without)\b|n't\b", re.IGNORECASE)
# Characters that the same text takes in different typing (curly or straight quotes,
# dashes, non-breaking spaces): a quote matches its passage with these folded, as with
# case and whitespace.
QUOTE_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                            "\u2013": "-", "\u2014": "-", "\u00a0": " ", "\u2011": "-"})
# The languages answers are written in by name, for the prompt (ISO 639-1).
LANGUAGE_NAMES = {
    "en": "English", "fr": "French", "es": "Spanish", "pt": "Portuguese", "ar": "Arabic",
    "zh": "Chinese", "ru": "Russian", "id": "Indonesian", "de": "German", "it": "Italian",
    "ja": "Japanese", "ko": "Korean", "tr": "Turkish", "vi": "Vietnamese", "nl": "Dutch",
}
