"""A generated corpus in the style of the IPS Program documents, with planted facts.

Every document is a title and ten units, each short enough to be exactly one chunk: FAQ
documents hold questions with their answers, notices hold headed sections. Each document is
about one fictional port, so its name steers keyword search the way a country or statute
number does in the real documents. Planted facts are single sentences placed at random
units; the question for each names the port and asks for the planted value.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path

UNITS_PER_DOC = 10
FILES_PER_FOLDER = 500  # keeps directory listings short at 50k chunks

_SYLLABLES = ["ka", "ver", "lo", "mar", "tes", "ri", "san", "do", "bel", "qua", "nor", "vik",
              "ze", "lan", "tor", "mi", "ga", "ru", "pel", "os", "tam", "bri", "hal", "cen"]
_FIRST = ["Amara", "Bruno", "Chiara", "Dmitri", "Elena", "Farid", "Greta", "Hamid", "Ines",
          "Jonas", "Keiko", "Lars", "Marisol", "Nikos", "Olga", "Priya", "Rafael", "Sanne"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_FREQUENCIES = ["every month", "twice a year", "every quarter", "once a year", "every week"]
_HEADINGS = ["Access Control", "Cargo Screening", "Security Drills", "Reciprocal Visits",
             "Training Assistance", "Port Facility Plans", "Conditions of Entry",
             "Vessel Screening", "Liaison Officers", "Assessment Findings", "Best Practices",
             "Designated Authority"]
_QUESTIONS = [
    "What does the {port} facility security plan cover?",
    "How are visitors screened at the {port} terminal?",
    "Who approves security measures at {port}?",
    "How does {country} take part in reciprocal visits?",
    "What training does the IPS Program offer {port} officials?",
    "When are security drills held at {port}?",
    "How are cargo and baggage screened at {port}?",
    "What happens when {port} falls short of the ISPS Code?",
    "Which vessels face conditions of entry after calling at {port}?",
    "Where can officials of {country} learn about port security best practices?",
]
_MEASURES = ["access control", "cargo screening", "baggage screening", "perimeter patrols",
             "identification checks", "security plan audits", "waterside patrols",
             "restricted area signage", "visitor escorts", "communications drills"]
_OFFICES = ["designated authority", "port facility security officer", "harbor master",
            "national maritime administration", "port police", "customs service"]
_FILLER = [
    "Port facilities in {country} apply {measure} under a facility security plan approved "
    "by the {office}.",
    "The {port} terminal relies on {measure} at {n} gates before granting access to "
    "restricted areas.",
    "Liaison officers discuss {measure} with the {office} of {country} during each country "
    "visit.",
    "Security drills at {port} are held {freq} and reviewed by the {office}.",
    "Vessels arriving from {port} may be boarded when the Coast Guard finds that {measure} "
    "there is not effective.",
    "The port security specialists compare {measure} at {port} with the practice of {n} "
    "other ports.",
    "Officials from {country} may request training on {measure} from the IPS Program {freq}.",
    "The assessment team visited {port} for {n} days and met the {office} about {measure}.",
    "Conditions of entry apply to vessels that called at {port} during their last {n} port "
    "calls.",
    "A reciprocal visit lets the {office} of {country} observe how United States ports "
    "carry out {measure}.",
]
_PLANTS = [
    ("The facility security plan of the {port} terminal is reviewed every {n} months by "
     "the {country} port authority.",
     "How often is the facility security plan of the {port} terminal reviewed?",
     "every {n} months"),
    ("The designated liaison officer for {port} is {person}.",
     "Who is the designated liaison officer for {port}?", "{person}"),
    ("{port} completed its last reciprocal visit to the United States in {month} {year}.",
     "When did {port} complete its last reciprocal visit to the United States?",
     "{month} {year}"),
    ("Cargo screening at {port} is coordinated from the {center} operations center.",
     "From which operations center is cargo screening at {port} coordinated?",
     "{center} operations center"),
]


@dataclass
class PlantedFact:
    """A question the generated corpus answers, and the text the answer must contain."""

    question: str
    fact: str
    doc_id: str


def write_corpus(
    folder: Path, chunks: int, questions: int = 50, seed: int = 7
) -> list[PlantedFact]:
    """Write documents totalling `chunks` chunks into `folder`; return the planted facts."""
    rng = random.Random(seed)
    n_docs = -(-chunks // UNITS_PER_DOC)
    names = _unique_names(rng, 2 * n_docs + questions)
    ports, countries, extra = names[:n_docs], names[n_docs : 2 * n_docs], names[2 * n_docs :]
    planted_at = set(rng.sample(range(chunks), min(questions, chunks)))
    facts: list[PlantedFact] = []
    for d in range(n_docs):
        units = min(UNITS_PER_DOC, chunks - d * UNITS_PER_DOC)
        doc_id = f"part-{d // FILES_PER_FOLDER:03d}/notice-{d:05d}.txt"
        slots = {"port": ports[d], "country": countries[d]}
        plants: dict[int, str] = {}
        for u in range(units):
            if d * UNITS_PER_DOC + u in planted_at:
                sentence, fact = _plant(rng, slots, extra.pop(), doc_id)
                plants[u] = sentence
                facts.append(fact)
        path = folder / doc_id
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_document(rng, d, units, slots, plants), encoding="utf-8")
    return facts


def save_facts(facts: list[PlantedFact], path: Path) -> None:
    """Store planted facts as JSON lines (the scale workers pass them between processes)."""
    path.write_text("".join(json.dumps(asdict(f)) + "\n" for f in facts), encoding="utf-8")


def load_facts(path: Path) -> list[PlantedFact]:
    """Read facts written by `save_facts`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [PlantedFact(**json.loads(line)) for line in lines if line.strip()]


def _unique_names(rng: random.Random, n: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        name = "".join(rng.choices(_SYLLABLES, k=rng.choice((3, 4)))).capitalize()
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def _plant(
    rng: random.Random, slots: dict[str, str], unique: str, doc_id: str
) -> tuple[str, PlantedFact]:
    sentence, question, fact = rng.choice(_PLANTS)
    values = {
        **slots, "n": str(rng.randint(7, 59)), "person": f"{rng.choice(_FIRST)} {unique}",
        "month": rng.choice(_MONTHS), "year": str(rng.randint(2006, 2023)), "center": unique,
    }
    return sentence.format(**values), PlantedFact(
        question.format(**values), fact.format(**values), doc_id
    )


def _document(
    rng: random.Random, d: int, units: int, slots: dict[str, str], plants: dict[int, str]
) -> str:
    faq = d % 3 == 0  # a third of the documents are FAQ pages, as in the real corpus
    title = f"{slots['port']} Port Security {'FAQ' if faq else 'Notice'}"
    blocks = [title]
    headings = rng.sample(_HEADINGS, len(_HEADINGS))
    for u in range(units):
        sentences = [_fill(rng, t, slots) for t in rng.sample(_FILLER, 4)]
        if u in plants:
            sentences.insert(1, plants[u])
        lead = _fill(rng, _QUESTIONS[u % len(_QUESTIONS)], slots) if faq else headings[u]
        blocks.append(f"{lead}\n{' '.join(sentences)}")
    return "\n\n".join(blocks) + "\n"


def _fill(rng: random.Random, template: str, slots: dict[str, str]) -> str:
    return template.format(
        freq=rng.choice(_FREQUENCIES), n=rng.randint(2, 40), measure=rng.choice(_MEASURES),
        office=rng.choice(_OFFICES), **slots,
    )
