"""The `ipskb` command line. Library errors become one clear line and a non-zero exit."""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from kb.errors import KBError
from kb.models import Answer
from kb.query.parts import Turn
from kb.runtime import configure_runtime
from kb.settings import Settings
from kb.shown import escaped, excerpt

log = logging.getLogger("ipskb")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ipskb", description=__doc__)
    p.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = p.add_subparsers(dest="command", required=True)
    ing = sub.add_parser("ingest", help="index the documents in the sources folder")
    ing.add_argument("--sources", type=Path, help="folder of documents (default: sources/)")
    ing.add_argument("--rebuild", action="store_true", help="re-embed everything")
    ask = sub.add_parser("ask", help="answer questions; with none, ask interactively")
    ask.add_argument("question", nargs="*", help="the question (several with --json)")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument("--llm-check", action="store_true",
                     help="say whether the language model endpoint (IPSKB_LLM) answers")
    search = sub.add_parser("search", help="show the passages retrieved for a query")
    search.add_argument("query", nargs="+")
    search.add_argument("-k", type=int, default=5, help="how many passages")
    search.add_argument("--method", choices=["hybrid", "dense", "bm25"], default="hybrid")
    sub.add_parser("sources", help="list the indexed documents")
    exp = sub.add_parser("export", help="export the ONNX encoder from the model weights, "
                         "unless a checked export is there (`make setup` runs it)")
    exp.add_argument("--encoder", choices=["float32", "int8"],
                     help="the variant (default: IPSKB_ENCODER, float32)")
    ev = sub.add_parser("eval", help="run the evaluation set and write the report")
    ev.add_argument("--questions", type=Path, default=Path("evals/questions.jsonl"))
    ev.add_argument("--report", type=Path, default=Path("evals/report.md"))
    ev.add_argument("--systems", help="comma-separated systems to compare (default: all: "
                    "hybrid, bm25, dense, hybrid_no_synonyms, langchain_baseline)")
    ev.add_argument("--calibrate", action="store_true",
                    help="also grid-search the abstention and coverage thresholds on the dev split")
    ev.add_argument("--llm", action="store_true",
                    help="add a row for the language model IPSKB_LLM names")
    ev.add_argument("--llm-local", action="store_true",
                    help="--llm with the small model the tests serve (SmolLM2-135M-Instruct "
                    "on 127.0.0.1)")
    ev.add_argument("--limit", type=int, help="a sample of this many items, spread over the "
                    "splits and categories (for a slow model)")
    fb = sub.add_parser("feedback", help="work with the ratings people gave answers")
    fb_sub = fb.add_subparsers(dest="feedback_command", required=True)
    fb_export = fb_sub.add_parser("export",
                                  help="write thumbs-down answers as draft evaluation cases")
    fb_export.add_argument("--out", type=Path, default=Path("evals/feedback-drafts.jsonl"))
    adm = sub.add_parser("admin-hash", help="make the bcrypt hash of an admin password for "
                         "IPSKB_ADMIN_PASSWORD_HASH or the password file")
    adm.add_argument("--user", help="print name:hash, a line of IPSKB_ADMIN_PASSWORD_FILE")
    adm.add_argument("--stdin", action="store_true",
                     help="read the password from the first line of standard input")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    configure_runtime()
    try:
        settings = Settings()
        return int(COMMANDS[args.command](settings, args))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        print(f"ipskb: bad setting IPSKB_{where.upper()}: {first['msg']}", file=sys.stderr)
    except KBError as exc:
        print(f"ipskb: {escaped(str(exc))}", file=sys.stderr)
    except KeyboardInterrupt:
        print("ipskb: interrupted", file=sys.stderr)
        return 130
    return 1


def _ingest(settings: Settings, args: argparse.Namespace) -> int:
    from ingest.pipeline import ingest

    progress = sys.stderr.isatty()
    if progress:  # a long ingest says how far it has got on a terminal, as it does with -v
        logging.getLogger("ingest").setLevel(logging.INFO)
    report = ingest(settings, args.sources, rebuild=args.rebuild, progress=progress)
    # File names come from whoever filled the folder: a newline in one must not fake a line.
    for name, reason in report.skipped:
        print(f"skipped {escaped(name)}: {escaped(reason)}", file=sys.stderr)
    for name, encoding in sorted(report.encodings.items()):
        if encoding not in ("", "utf-8"):
            print(f"read {escaped(name)} as {encoding}", file=sys.stderr)
    if report.up_to_date:
        print(f"index is up to date: {len(report.unchanged)} documents, {report.chunks} chunks "
              "(0 embeddings computed)")
    else:
        print(f"{'rebuilt' if report.rebuilt else 'updated'} index: "
              f"{len(report.added)} added, {len(report.changed)} changed, "
              f"{len(report.removed)} removed, {len(report.unchanged)} unchanged; "
              f"{report.chunks} chunks, {report.sentences} sentences, "
              f"{report.embedded} embeddings computed")
    return 0


def _ask(settings: Settings, args: argparse.Namespace) -> int:
    from kb.index.embedder import Embedder
    from kb.knowledge import KnowledgeBase

    if args.llm_check:
        return _llm_check(settings)
    embedder = Embedder(settings)
    embedder.preload()  # the encoder loads while the index opens
    with KnowledgeBase.open(settings, embedder) as kb:
        if args.json:
            failed = 0
            for question in args.question:
                try:
                    print(json.dumps(kb.ask(question).to_json(), ensure_ascii=False), flush=True)
                except KBError as exc:
                    failed += 1
                    print(json.dumps(error_json(question, exc), ensure_ascii=False), flush=True)
            return 1 if failed else 0
        if args.question:
            print(render(kb.ask(" ".join(args.question))))
            return 0
        return _interactive(kb)


def error_json(question: str, exc: KBError) -> dict[str, str]:
    """The JSON object for a question that could not be answered; it quotes only the start
    of the question, which may be megabytes long."""
    return {"question": excerpt(question), "error": str(exc)}


def _interactive(kb: object) -> int:
    from kb.knowledge import KnowledgeBase

    assert isinstance(kb, KnowledgeBase)
    history: list[Turn] = []
    print("Ask about the International Port Security Program (empty line or Ctrl-D to quit).")
    while True:
        try:
            question = input("\nquestion> ").strip()
        except EOFError:
            return 0
        if not question:
            return 0
        try:
            answer = kb.ask(question, history)
            print(render(answer))
            # A follow-up points back to the earlier question and its answer.
            history.append((question, answer.text))
        except KBError as exc:
            print(f"ipskb: {exc}")


def _llm_check(settings: Settings) -> int:
    """Whether the configured language model answers, within its timeout."""
    from kb.llm.client import ChatClient

    if not settings.llm:
        print("ipskb: no language model is configured (set IPSKB_LLM)", file=sys.stderr)
        return 1
    where = settings.llm_base_url or "the provider's default endpoint"
    check = ChatClient.from_settings(settings).check(settings.llm_timeout)
    if not check.ok:
        print(f"ipskb: {settings.llm} at {escaped(where)} did not answer: "
              f"{escaped(check.detail)}", file=sys.stderr)
        return 1
    print(f"{settings.llm} at {escaped(where)} answers ({check.seconds:.1f} s): "
          f"{escaped(check.detail)}")
    return 0


def render(answer: Answer) -> str:
    """An answer with its numbered sources, for the terminal."""
    lines = [answer.text]
    lines += [f"Notice: {n}" for n in answer.notices or []]
    if answer.citations:
        lines.append("\nSources:")
        for c in answer.citations:
            flag = "" if c.status == "current" else f" [{c.status.upper()}]"
            where = f", {c.location}" if c.location else ""
            lines.append(f"[{c.n}] {c.title}{where}{flag}" + (f"\n    {c.url}" if c.url else ""))
    return "\n".join(lines)


def _search(settings: Settings, args: argparse.Namespace) -> int:
    from kb.knowledge import KnowledgeBase

    with KnowledgeBase.open(settings) as kb:
        for rank, hit in enumerate(kb.search(" ".join(args.query), args.k, args.method), 1):
            d = "-" if hit.dense_score is None else f"{hit.dense_score:.3f}"
            lx = "-" if hit.lexical_score is None else f"{hit.lexical_score:.2f}"
            c = hit.chunk
            print(f"{rank}. rrf={hit.score:.4f} dense={d} bm25={lx}  {escaped(c.doc_id)}  "
                  f"{c.location}")
            print(f"   {' '.join(c.text.split())[:200]}")
    return 0


def _sources(settings: Settings, args: argparse.Namespace) -> int:
    from kb.knowledge import KnowledgeBase

    with KnowledgeBase.open(settings) as kb:
        for info in kb.sources():
            d = info.document
            print(f"{d.status:10s} {info.chunks:4d} chunks  {escaped(d.doc_id)}\n"
                  f"{'':27s}{escaped(d.title)}" + (f" ({d.date})" if d.date else ""))
    return 0


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from kb.index.export import ensure_graph

    if args.encoder:
        settings = settings.model_copy(update={"encoder": args.encoder})
    print(f"ONNX encoder ({settings.encoder}): {ensure_graph(settings)}")
    return 0


def _eval(settings: Settings, args: argparse.Namespace) -> int:
    systems = args.systems.split(",") if args.systems else None
    if args.llm_local:
        from evals.local_llm import SPEC, serving

        with serving() as url:
            local = settings.model_copy(update={"llm": SPEC, "llm_base_url": url,
                                                "llm_json_mode": "schema"})
            return _run_eval(local, args, systems, llm=True)
    return _run_eval(settings, args, systems, llm=args.llm)


def _run_eval(settings: Settings, args: argparse.Namespace, systems: list[str] | None,
              llm: bool) -> int:
    from evals.runner import run_eval

    summary = run_eval(settings, args.questions, args.report, calibrate_too=args.calibrate,
                       systems=systems, llm=llm, limit=args.limit,
                       progress=lambda name: print(f"evaluating {name}", file=sys.stderr))
    print(summary)
    return 0


def _feedback(settings: Settings, args: argparse.Namespace) -> int:
    from kb.present.feedback import FeedbackStore

    store = FeedbackStore.for_settings(settings)
    if args.feedback_command == "export":
        count = store.export_drafts(args.out)
        print(f"wrote {count} draft evaluation cases to {args.out}")
    return 0


def _admin_hash(settings: Settings, args: argparse.Namespace) -> int:
    import getpass

    from kb.present.auth import AdminError, hash_password

    if args.user is not None and not re.fullmatch(r"[A-Za-z0-9._@-]{1,64}", args.user):
        raise AdminError("an admin name is 1-64 letters, digits or . _ @ -")
    if args.stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Admin password: ")
        if getpass.getpass("Again: ") != password:
            raise AdminError("the two passwords differ; nothing was made")
    hashed = hash_password(password)
    print(f"{args.user}:{hashed}" if args.user is not None else hashed)
    return 0


COMMANDS = {"ingest": _ingest, "ask": _ask, "search": _search, "sources": _sources,
            "export": _export, "eval": _eval, "feedback": _feedback, "admin-hash": _admin_hash}
