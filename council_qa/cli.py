"""The ``council-qa`` command line."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from council_qa.config import BUNDLED_CORPUS, DECISION_OUTCOMES, DOC_TYPES, Settings, offline_environment

if TYPE_CHECKING:
    from datetime import date

    from tqdm import tqdm

    from index import IngestReport
    from ingest.sources import FetchReport


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]


def _emit_json(payload: object) -> None:
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(path_type=Path), default=None,
              help="Index folder (default ./.council-qa, or COUNCIL_QA_HOME).")
@click.version_option(package_name="council-qa")
@click.pass_context
def cli(ctx: click.Context, home: Path | None) -> None:
    """Cited answers from local-government board papers and strategies."""
    offline_environment()
    ctx.ensure_object(dict)
    try:
        ctx.obj["settings"] = Settings.from_env(home=home)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--prune", is_flag=True, help="Remove documents whose files are gone from the named folders.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a summary.")
@click.option("--doc-type", type=click.Choice(DOC_TYPES),
              help="Set the document type of every file (overrides what is detected).")
@click.option("--body", help='Set the board or committee, e.g. "Health & Wellbeing Board".')
@click.option("--meeting-date", help="Set the meeting date (YYYY-MM-DD).")
@click.option("--title", help="Set the title (useful for a single file).")
@click.pass_context
def ingest(ctx, paths, prune, as_json, doc_type, body, meeting_date, title) -> None:
    """Index documents (PDF, DOCX, HTML, Markdown, text) from PATHS.

    With no PATHS, the bundled Barnet sample corpus is indexed. Re-running touches only
    what changed. Exit status 1 when any file failed; the others still go in.
    """
    from ingest import normalise_body

    roots = list(paths) or [BUNDLED_CORPUS]
    missing = [str(p) for p in roots if not p.exists()]
    overrides = {"doc_type": doc_type, "body": normalise_body(body) or body if body else None,
                 "meeting_date": meeting_date, "title": title}
    report = _run_ingest(_settings(ctx), [p for p in roots if p.exists()], as_json, prune=prune, overrides=overrides)
    report.failed = [{"path": p, "error": "no such file or folder"} for p in missing] + report.failed
    if as_json:
        _emit_json(report.to_dict())
    else:
        _echo_ingest(report)
    ctx.exit(0 if not report.failed else 1)


def _run_ingest(settings: Settings, roots: list[Path], quiet: bool, **options) -> "IngestReport":
    """Index ``roots`` with a progress bar on a terminal; the ingest report."""
    from index import Indexer, StoreError

    try:
        indexer = Indexer(settings)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    bar = _progress_bar("files", quiet)

    def progress(done: int, total: int, path: str) -> None:
        if bar is not None:
            bar.total = total
            bar.n = done
            bar.set_postfix_str(Path(path).name if path else "", refresh=True)

    report = indexer.ingest(roots, on_progress=progress, **options)
    if bar is not None:
        bar.close()
    return report


def _progress_bar(unit: str, quiet: bool) -> "tqdm | None":
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=0, unit=unit, file=sys.stderr, leave=False)


def _echo_ingest(report: "IngestReport") -> None:
    from ingest import printable

    click.echo(
        f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
        f"removed {report.removed}; {report.chunks_total} chunks in the index ({report.seconds:.1f}s)"
    )
    for dup in report.duplicates:
        click.echo(f"same text as {printable(dup['same_as'])}: {printable(dup['path'])}")
    for path in report.left_out:
        click.echo(f"left out, as it was removed from the index: {printable(path)} (name the file to add it back)")
    for document in report.incomplete:
        coverage = document["coverage"]
        example = coverage["missing_examples"][0] if coverage["missing_examples"] else ""
        click.echo(f"warning: {printable(document['path'])}: only {coverage['ratio']:.2%} of its text reached a chunk"
                   f" (first missing: {example!r})", err=True)
    for failure in report.failed:
        click.echo(f"error: {printable(failure['path'])}: {printable(failure['error'])}", err=True)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def stats(ctx, as_json) -> None:
    """Documents and chunks in the index, per document type."""
    from index import Manifest

    settings = _settings(ctx)
    manifest = Manifest.load(settings.manifest_path)
    documents, chunks, furniture = Counter(), Counter(), Counter()
    incomplete = []
    for entry in manifest.ready().values():
        documents[entry.doc_type] += 1
        chunks[entry.doc_type] += entry.chunks
        furniture.update(entry.furniture)
        if entry.coverage < 1.0:
            incomplete.append({"title": entry.title, "coverage": entry.coverage, "sources": entry.sources})
    payload = {
        "home": str(settings.home),
        "documents": sum(documents.values()),
        "chunks": sum(chunks.values()),
        "by_doc_type": {t: {"documents": documents[t], "chunks": chunks[t]} for t in sorted(documents)},
        "embed_model": manifest.embed_model,
        "coverage": {"complete": sum(documents.values()) - len(incomplete), "incomplete": incomplete,
                     "furniture_chars": dict(sorted(furniture.items()))},
    }
    if as_json:
        _emit_json(payload)
        return
    click.echo(f"{payload['documents']} documents, {payload['chunks']} chunks in {settings.home}")
    for doc_type, counts in payload["by_doc_type"].items():
        click.echo(f"  {doc_type:<9} {counts['documents']:>4} documents {counts['chunks']:>6} chunks")
    left_out = ", ".join(f"{kind} {n:,}" for kind, n in payload["coverage"]["furniture_chars"].items())
    click.echo(f"coverage: all text in chunks for {payload['coverage']['complete']} of {payload['documents']} documents"
               + (f"; characters left out on purpose: {left_out}" if left_out else ""))
    for document in incomplete:
        click.echo(f"  {document['coverage']:.2%}  {document['title']}")


@cli.command()
@click.argument("question", required=False)
@click.option("--file", "questions_file", type=click.File("r", encoding="utf-8"),
              help="Answer every line of this file (- for standard input), loading the models once.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the answer, citations and timings as JSON (one object per line with --file).")
@click.option("--filter", "filters", multiple=True, metavar="KEY=VALUE",
              help="Restrict sources: doc_type=minutes, body=Cabinet, date_from=2025-01-01, date_to=...")
@click.option("--backend", type=click.Choice(["extractive", "openai", "llamacpp"]), default=None,
              help="How the answer is written (default extractive, or COUNCIL_QA_BACKEND).")
@click.pass_context
def ask(ctx, question, questions_file, as_json, filters, backend) -> None:
    """Answer QUESTION from the indexed papers, citing every claim.

    With --file, every non-empty line is a question: a script asking a hundred questions
    pays the start-up (loading the models and the index) once, not a hundred times.
    """
    from rag import Filters

    if bool(question) == bool(questions_file):
        raise click.UsageError("give a QUESTION or --file, not both or neither")
    settings = _settings(ctx)
    try:
        parsed = Filters.parse(filters)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--filter") from None
    engine = _engine(settings)
    questions = [question] if question else [line.strip() for line in questions_file if line.strip()]
    for number, text in enumerate(questions):
        try:
            answer = engine.ask(text, filters=parsed, backend=backend)
        except ValueError as exc:  # a backend that is not configured
            raise click.ClickException(str(exc)) from None
        if as_json:
            payload = answer.to_dict()
            shown = {k: payload[k] for k in ("answer", "abstained", "citations", "related", "timings_ms")}
            if questions_file:  # one line per question, naming it
                click.echo(json.dumps({"question": text, **shown}, ensure_ascii=False))
            else:
                _emit_json(shown)
            continue
        if questions_file:
            click.echo(f"{'' if number == 0 else chr(10)}Q: {text}")
        _echo_answer(answer)


def _echo_answer(answer) -> None:
    from ingest import printable

    click.echo(answer.answer)
    shown = answer.citations or answer.related
    if shown:
        click.echo("\nSources:" if answer.citations else "\nNearest passages:")
    for c in shown:
        where = " > ".join(x for x in (c.title, c.section) if x)
        page = f", p. {c.page}" if c.page else ""
        click.echo(f"[{c.n}] {where}{page}\n    \"{c.quote}\"")
        if c.url:
            click.echo(f"    {printable(c.url)}")


def _engine(settings: Settings):
    from index import Manifest
    from rag import AnswerEngine

    if not Manifest.load(settings.manifest_path).ready():
        raise click.ClickException(f"the index in {settings.home} is empty: run 'council-qa ingest' first")
    return AnswerEngine(settings)


@cli.command(name="eval")
@click.option("--set", "set_paths", type=click.Path(exists=True, dir_okay=False, path_type=Path), multiple=True,
              help="Question set (JSONL); default the bundled Barnet set. Given twice, both are run and the gap "
                   "between them (second minus first) is printed.")
@click.option("--split", type=click.Choice(["dev", "untouched"]), default=None,
              help="Only one part of each split set. Without it a split set runs as its two parts, with the gap.")
@click.option("--backend", type=click.Choice(["extractive", "openai", "llamacpp"]), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write report.md (every failed question) and a chart by category here.")
@click.option("--baseline", is_flag=True, help="Also run a plain LlamaIndex starter pipeline and compare.")
@click.option("--calibrate", is_flag=True,
              help="Fit the refusal model on the development questions of the sets and save it with the index.")
@click.option("--gate", is_flag=True, help="Exit 1 when a metric misses eval/thresholds.toml.")
@click.pass_context
def evaluate(ctx, set_paths, split, backend, as_json, report_dir, baseline, calibrate, gate) -> None:
    """Measure retrieval and answer quality on a question set, through the chat's own code path.

    A split set (questions marked dev or untouched) is reported part by part with the gap
    between them; an untouched part's questions are never printed, only its totals.
    """
    from eval.baseline import StarterPipeline
    from eval.checks import set_problems
    from eval.dataset import BUNDLED_SET, EvalSetError, load_questions
    from eval.gate import gate_failures, load_thresholds
    from eval.metrics import gap, gap_interval, summarise
    from eval.report import interval_text, metrics_table, write_report
    from eval.runner import run_questions
    from index import Manifest

    settings = _settings(ctx)
    try:
        sets = []
        for path in set_paths or (BUNDLED_SET,):
            questions = load_questions(path)
            split_here = split if split and any(q.split for q in questions) else None
            sets.append((path, load_questions(path, split_here) if split_here else questions))
    except EvalSetError as exc:
        raise click.ClickException(str(exc)) from None
    parts = _eval_parts(sets, split)
    engine = _engine(settings)
    chunks = list(engine.index.chunks())
    problems: dict[str, list[str]] = {}
    for label, _, questions in parts:
        problems[label] = set_problems(questions, chunks)
        if questions[0].split == "untouched" and problems[label]:
            click.echo(f"warning: {label}: {len(problems[label])} quotes or facts no chunk holds "
                       "(untouched: not listed)", err=True)
            continue
        for problem in problems[label]:
            click.echo(f"warning: {problem}", err=True)
    if calibrate:
        from eval.calibrate import fit_on_runs

        dev = [q for _, questions in sets for q in questions if q.split != "untouched"]
        probe = type(engine)(settings.replace(abstain_threshold=0.0), index=engine.index)
        calibration = fit_on_runs([(probe, dev)], backend=backend)
        calibration.save(settings.calibration_path, note=f"{', '.join(p.name for p, _ in sets)}: {len(dev)} questions")
        engine = type(engine)(settings, index=engine.index)
        if not as_json:
            click.echo(f"calibrated on {len(dev)} development questions: {calibration}", err=True)
    columns: dict[str, dict[str, float]] = {}
    by_set: dict[Path, list] = {}
    by_part: dict[str, list] = {}
    for label, path, questions in parts:
        results, _ = run_questions(engine, questions, backend=backend)
        by_set.setdefault(path, []).extend(results)
        by_part[label] = results
        columns[label] = summarise(results)
        baseline_results = None
        if baseline:
            sources = [Path(src) for e in Manifest.load(settings.manifest_path).ready().values()
                       for src in e.sources[:1]]
            baseline_results = StarterPipeline(settings, sources).run(questions)
            columns[f"{label} baseline"] = summarise(baseline_results)
        if report_dir and questions[0].split != "untouched":
            report = write_report(report_dir / label.replace(" ", "-") if len(parts) > 1 else report_dir, results,
                                  label, baseline_results, problems[label])
            if not as_json:
                click.echo(f"report: {report}", err=True)
    # The gate holds each set, all its parts pooled, to its own thresholds.
    failures = [f"{path.name}: {failure}" if len(by_set) > 1 else failure
                for path, results in by_set.items() if gate
                for failure in gate_failures(summarise(results), load_thresholds(question_set=path.stem))]
    names = [label for label, _, _ in parts]
    shown = dict(columns)
    interval = None
    if len(parts) == 2:
        shown["gap"] = gap(columns[names[0]], columns[names[1]])
        interval = gap_interval(by_part[names[0]], by_part[names[1]])
        shown["gap, 95% interval"] = {k: interval_text(v) for k, v in interval.items()}
    if as_json:
        if len(parts) == 1:
            metrics = columns[names[0]]
            _emit_json(metrics if not baseline else {**metrics, "baseline": columns[f"{names[0]} baseline"]})
        else:
            _emit_json({"parts": columns, "gap": shown.get("gap"),
                        "gap_interval": {k: list(v) for k, v in interval.items()} if interval else None})
    else:
        click.echo(metrics_table(shown))
    if gate:
        for failure in failures:
            click.echo(f"gate: {failure}", err=True)
        ctx.exit(1 if failures else 0)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print every commitment with its status and evidence.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the table as CSV to this file.")
@click.option("--calibrate", "pairs", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Fit the evidence thresholds on labelled pairs (JSONL) and save them first.")
@click.pass_context
def commitments(ctx, as_json, csv_path, pairs) -> None:
    """Each strategy commitment, and whether board meetings have reported on it."""
    from rag.commitments import CommitmentTracker, calibrate_on_pairs, save_thresholds, to_csv

    tracker = CommitmentTracker(_engine(_settings(ctx)))
    if pairs:
        tracker.thresholds, accuracy = calibrate_on_pairs(tracker, pairs)
        save_thresholds(tracker.thresholds, note=f"{pairs.name}, {accuracy:.3f} of pairs right")
        click.echo(f"calibrated on {pairs.name}: {tracker.thresholds} ({accuracy:.1%} of pairs right)", err=True)
    statuses = tracker.track()
    if not statuses:
        raise click.ClickException("no strategy in the index: ingest one (doc_type strategy) first")
    if csv_path:
        csv_path.write_text(to_csv(statuses), encoding="utf-8")
    if as_json:
        _emit_json([s.to_dict() for s in statuses])
        return
    width = max(len(s.commitment.title) for s in statuses)
    for s in statuses:
        where = f"{s.evidence[0].section} ({s.evidence[0].meeting_date})" if s.evidence else ""
        click.echo(f"{s.status:<12} {s.commitment.title:<{width}}  {where}")


@cli.command()
@click.option("--body", help="Only this board or committee (any part of its name).")
@click.option("--since", help="Meetings on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Meetings on or before this date (YYYY-MM-DD).")
@click.option("--outcome", type=click.Choice(DECISION_OUTCOMES), help="Only decisions with this outcome.")
@click.option("--search", help="Words the item title or the decision's passage must hold.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: one object per decision.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Also write the decisions to this CSV file.")
@click.pass_context
def decisions(ctx, body, since, until, outcome, search, as_json, csv_path) -> None:
    """Every decision and recorded vote in the indexed minutes and decision notices.

    Read at ingest from the papers themselves: item, outcome, votes for / against /
    abstaining, proposer and seconder where printed, who voted each way where a roll
    call names them (in --json and the CSV), page and passage. A figure the paper does
    not print is left empty.
    """
    from rag.decisions import DecisionFilter, decisions_register, to_csv

    try:
        filters = DecisionFilter(body=body, since=since, until=until, outcome=outcome, search=search)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    entries = decisions_register(_settings(ctx), filters)
    if csv_path:
        csv_path.write_text(to_csv(entries), encoding="utf-8")
    if as_json:
        _emit_json([e.to_dict() for e in entries])
        return
    if not entries:
        click.echo("No decisions match." if any((body, since, until, outcome, search))
                   else "No decisions in the index: ingest minutes or decision notices first.", err=True)
        return
    for e in entries:
        d = e.decision
        who = f" moved {d.proposer}" + (f", seconded {d.seconder}" if d.seconder else "") if d.proposer else ""
        votes = f" ({e.votes})" if e.votes else ""
        click.echo(f"{e.meeting_date or '?':<10}  {e.body[:28]:<28}  item {d.item_number or '-':<4} "
                   f"{d.kind} {d.outcome.upper()}{votes}{who}: {d.item_title[:60]} (p. {d.page})")


@cli.group()
def fetch() -> None:
    """Fetch a council's published papers into the index."""


@fetch.command("moderngov")
@click.option("--council", help="Council code (BNE), name (barnet) or the ModernGov site's URL.")
@click.option("--committee", help="Committee id, title, or a part of its title naming only one.")
@click.option("--since", help="Meetings on or after this date (YYYY-MM-DD; default a year before --until).")
@click.option("--until", help="Meetings on or before this date (YYYY-MM-DD; default today).")
@click.option("--dry-run", is_flag=True, help="List the meetings and files that would be fetched; fetch nothing.")
@click.option("--list-councils", is_flag=True, help="List the known council codes (filtered by --council).")
@click.option("--list-committees", is_flag=True, help="List the committees of --council.")
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where papers are stored (default <home>/papers), as council/committee/date/.")
@click.option("--no-ingest", is_flag=True, help="Fetch only; do not index what was fetched.")
@click.option("--delay", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Seconds between requests.")
@click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True,
              help="Retries of a timeout, a dropped connection or a 429/5xx answer.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds to wait for an answer.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: what was fetched and indexed.")
@click.pass_context
def fetch_moderngov(ctx, council, committee, since, until, dry_run, list_councils, list_committees, folder,
                    no_ingest, delay, retries, timeout, as_json) -> None:
    """Fetch a committee's agendas, minutes and public reports from a ModernGov site.

    Minutes and agenda text come from the site's web service; linked public documents
    are downloaded, restricted ones skipped. Each file keeps its public URL, so answers
    cite the page it came from. Re-running fetches only what is new.

    \b
    council-qa fetch moderngov --list-councils --council barnet
    council-qa fetch moderngov --council BNE --list-committees
    council-qa fetch moderngov --council BNE --committee "Health and Wellbeing Board" --since 2024-01-01
    """
    from ingest.sources import CommitteeFetcher, FetchError, ModernGovSite, PoliteClient, find_committee, resolve_council

    if list_councils:
        _list_councils(council or "", as_json)
        return
    if not council:
        raise click.UsageError("give --council (a code, a name or the site's URL), or --list-councils")
    try:
        site_council = resolve_council(council)
        since_day, until_day = _date_range(since, until)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    with PoliteClient(min_interval=delay, retries=retries, timeout=timeout) as client:
        site = ModernGovSite(site_council, client)
        try:
            committees = site.committees()
            if list_committees:
                _list_committees(site, committees, as_json)
                return
            if not committee:
                raise click.UsageError("give --committee (an id or title; see --list-committees)")
            try:
                chosen = find_committee(committees, committee)
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint="--committee") from None
            bar = _progress_bar("item", as_json)

            def progress(stage: str, done: int, total: int, label: str) -> None:
                if bar is not None:
                    bar.set_description_str(stage)
                    bar.total, bar.n = total, done
                    bar.set_postfix_str(label[:40], refresh=True)

            fetcher = CommitteeFetcher(site, folder or _settings(ctx).home / "papers", progress)
            report = fetcher.fetch(chosen, since_day, until_day, dry_run=dry_run)
            if bar is not None:
                bar.close()
        except FetchError as exc:
            raise click.ClickException(str(exc)) from None
    indexed = None
    if not dry_run and not no_ingest and report.files:
        indexed = _run_ingest(_settings(ctx), [Path(report.folder)], as_json)
    if as_json:
        _emit_json({"fetch": report.to_dict(), "ingest": indexed.to_dict() if indexed else None})
    else:
        _echo_fetch(report, site_council.name)
        if indexed is not None:
            _echo_ingest(indexed)
    ctx.exit(1 if report.errors or (indexed and indexed.failed) else 0)


def _list_councils(wanted: str, as_json: bool) -> None:
    from ingest.sources import known_councils

    wanted = wanted.lower()
    rows = [c for c in known_councils() if wanted in f"{c.code.lower()} {c.slug} {c.base_url}"]
    if as_json:
        _emit_json([{"code": c.code, "slug": c.slug, "url": c.base_url} for c in rows])
        return
    for c in rows:
        click.echo(f"{c.code:<4} {c.slug:<32} {c.base_url}")


def _list_committees(site, committees: list, as_json: bool) -> None:
    if as_json:
        _emit_json([{"id": c.id, "title": c.title, "category": c.category, "expired": c.expired,
                     "url": site.committee_url(c.id)} for c in committees])
        return
    for c in committees:
        click.echo(f"{c.id:>6}  {c.title}" + ("  (expired)" if c.expired else ""))


def _echo_fetch(report: "FetchReport", council_name: str) -> None:
    from ingest import printable

    with_papers = report.meetings - report.meetings_without_papers
    click.echo(f"{report.committee} ({council_name}), {report.since} to {report.until}: "
               f"{_count(with_papers, 'meeting')} with papers"
               + (f", {report.meetings_without_papers} without" if report.meetings_without_papers else "")
               + (f", {report.meetings_cancelled} cancelled" if report.meetings_cancelled else ""))
    for f in report.files:
        click.echo(f"  {f.meeting_date}  {f.kind:<10}  {f.status:<9}  {printable(f.title)[:70]}")
        if report.dry_run:
            click.echo(f"{'':26}{printable(f.url)}")
    skipped = (f"skipped {report.restricted} restricted, {_count(report.duplicates, 'duplicate')}, "
               f"{report.republished_minutes} republished minutes"
               + (f", {_count(report.external, 'external link')}" if report.external else "")
               + (f", {report.unsupported} in formats ingest cannot read" if report.unsupported else "")
               + f"; {_count(report.requests, 'request')}, {report.retries} retried")
    if report.dry_run:
        click.echo(f"would fetch {_count(len(report.files), 'file')} into {report.folder}; {skipped}")
    else:
        click.echo(f"fetched {_count(len(report.files), 'file')} into {report.folder}: {report.written} written, "
                   f"{report.unchanged} already there; {skipped}")
    for error in report.errors:
        click.echo(f"error: {printable(error['url'])}: {printable(error['error'])}", err=True)


def _date_range(since: str | None, until: str | None) -> "tuple[date, date]":
    """``--since`` and ``--until`` as dates: by default the year up to today."""
    from datetime import date, timedelta

    until_day = _date_option("--until", until) or date.today()
    since_day = _date_option("--since", since) or until_day - timedelta(days=365)
    if since_day > until_day:
        raise ValueError(f"--since {since_day} is after --until {until_day}")
    return since_day, until_day


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _date_option(name: str, value: str | None) -> "date | None":
    from datetime import date

    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} must be a date as YYYY-MM-DD, not {value!r}") from None


@cli.command()
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1, or COUNCIL_QA_HOST).")
@click.option("--port", type=int, default=None, help="Port (default 7860, or COUNCIL_QA_PORT).")
@click.option("--ingest-if-empty", is_flag=True, help="Index the bundled Barnet corpus first when the index is empty.")
@click.option("--public-without-login", is_flag=True,
              help="Serve a non-loopback address with no login (refused otherwise; set COUNCIL_QA_AUTH instead).")
@click.pass_context
def serve(ctx, host, port, ingest_if_empty, public_without_login) -> None:
    """Open the web chat (http://127.0.0.1:7860 by default)."""
    import app
    from index import StoreError

    settings = _settings(ctx).replace(**{k: v for k, v in {"host": host, "port": port}.items() if v is not None})
    if public_without_login:
        settings = settings.replace(allow_public_without_login=True)
    try:
        app.serve(settings, ingest_if_empty=ingest_if_empty)
    except (ValueError, StoreError) as exc:
        raise click.ClickException(str(exc)) from None


def _eval_parts(sets: list, split: str | None) -> list[tuple[str, Path, list]]:
    """What ``eval`` reports, one column each: every set given, or a split set's two parts."""
    from eval.dataset import SPLITS

    if len(sets) == 1 and not split:
        path, questions = sets[0]
        present = [s for s in SPLITS if any(q.split == s for q in questions)]
        if len(present) == len(SPLITS):
            return [(f"{path.stem} {s}", path, [q for q in questions if q.split == s]) for s in SPLITS]
    labels = [path.stem + (f" {split}" if split and questions[0].split else "") for path, questions in sets]
    return [(label, path, questions) for label, (path, questions) in zip(labels, sets)]


def main() -> None:
    cli(obj={})


if __name__ == "__main__":
    main()
