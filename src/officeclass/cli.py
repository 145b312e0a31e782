"""The ``officeclass`` command line: a thin layer over the library.

Data goes to stdout, messages to stderr. Exit status: 0 success, 1 a data or
model error (one clear line; the traceback only with ``-v``), 2 a usage error
(bad options, unknown column), 130 interrupted.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from . import __version__
from .errors import AmbiguousColumnError, ColumnNotFoundError, EmptyTextError, InputValueError, OfficeclassError

__all__ = ["main"]

USAGE_ERRORS = (ColumnNotFoundError, AmbiguousColumnError, InputValueError)
#: Environment variable naming a model file to use instead of the shipped one.
MODEL_ENV = "OFFICECLASS_MODEL"


class UsageError(Exception):
    """A bad command line found after parsing (exit 2)."""


def _delimiter(value: str | None) -> str | None:
    """``\\t`` as typed at a shell means a tab."""
    return {"\\t": "\t", "tab": "\t"}.get(value, value) if value is not None else None


def _model(args: argparse.Namespace) -> Any:
    """The model named by --model or $OFFICECLASS_MODEL, else None (the shipped one)."""
    path = getattr(args, "model", None) or os.environ.get(MODEL_ENV) or None
    if path is None:
        return None
    from .model import Classifier

    return Classifier.load(path)


def _read_text(value: str | None) -> str:
    if value is None or value == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise InputValueError("no text given: pass the posting as an argument, or pipe it in with '-'.")
        return sys.stdin.read()
    return value


def _cmd_label(args: argparse.Namespace) -> int:
    from .batch import label_file

    if args.jobs == 0 or args.jobs < -1:
        raise UsageError(f"--jobs must be a positive number of processes or -1 for all cores, got {args.jobs}.")
    if args.chunk_size < 1:
        raise UsageError(f"--chunk-size must be a positive number of rows, got {args.chunk_size}.")
    summary = label_file(
        args.input,
        args.output,
        text_column=args.text_column,
        title_column=None if args.no_title else args.title_column,
        chunk_size=args.chunk_size,
        jobs=args.jobs,
        resume=args.resume,
        on_bad_lines=args.on_bad_lines,
        encoding=args.encoding,
        explain=args.explain,
        overwrite=args.overwrite,
        input_format=args.input_format,
        output_format=args.output_format,
        progress=False if args.quiet else None,
        model=_model(args),
        parents=args.parents,
        delimiter=_delimiter(args.delimiter),
        excel_bom=True if args.excel_bom else None,
    )
    if not args.quiet:
        print(summary.to_text(), file=sys.stderr)
    return 0


def _cmd_classify(args: argparse.Namespace) -> int:
    from .predict import classify

    p = classify(_read_text(args.text), title=args.title, explain=args.json, model=_model(args))
    if args.json:
        e = p.explanation
        out = {
            "label": p.label,
            "probabilities": dict(p.probabilities),
            "abstained": p.abstained,
            "status": p.status,
            "model_version": p.model_version,
            "top_terms_for": [(c.term, c.field, round(c.contribution, 4)) for c in e.top(10)] if e else [],
            "top_terms_against": [(c.term, c.field, round(c.contribution, 4)) for c in e.top(10, direction="against")] if e else [],
            "roles": [{"term": r.term, "label": r.label, "seeds": list(r.seeds), "start": r.start, "end": r.end} for r in e.roles] if e else [],
        }
        print(json.dumps(out, indent=2))
    else:
        flag = " (abstained: review)" if p.abstained else ""
        print(f"{p.label}\t{p.confidence:.3f}{flag}")
    return 0


def _cmd_explain(args: argparse.Namespace) -> int:
    from .predict import classify

    p = classify(_read_text(args.text), title=args.title, model=_model(args))
    probs = ", ".join(f"{k} {v:.3f}" for k, v in p.probabilities.items())
    print(f"label: {p.label}{' (abstained)' if p.abstained else ''}   probabilities: {probs}   status: {p.status}")
    e = p.explanation
    print(e.to_text(n=args.top))  # type: ignore[union-attr]
    if e is not None and e.lines:
        print("  lines:")
        for k, line in enumerate(e.lines, 1):
            shown = line.text if len(line.text) <= 110 else line.text[:107] + "..."
            print(f"  {k:>4} {line.tag:<13} {line.probabilities[line.tag]:.2f}  {shown}")
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from .batch import label_frame, read_table
    from .evaluate import confusion_frame, scores
    from .labels import LABELS

    df = read_table(args.file, encoding=args.encoding, delimiter=_delimiter(args.delimiter))
    if args.label_column not in df.columns:
        raise ColumnNotFoundError(args.label_column, list(df.columns), source=args.file)
    bad = sorted(set(df[args.label_column]) - set(LABELS))
    if bad:
        raise InputValueError(f"Column {args.label_column!r} has values {bad[:5]} that are not labels; expected {', '.join(LABELS)}.")
    out = label_frame(df, text_column=args.text_column, title_column=None if args.no_title else args.title_column, model=_model(args))
    used = out.attrs.get("officeclass", {})
    print(
        f"officeclass: text column {used.get('text_column')!r}, "
        + (f"title column {used['title_column']!r}" if used.get("title_column") else "no title column"),
        file=sys.stderr,
    )
    s = scores(df[args.label_column], out["officeclass_label"])
    cm = confusion_frame(df[args.label_column], out["officeclass_label"])
    if args.json:
        print(json.dumps({**s, "confusion": cm.to_numpy().tolist(), "labels": list(LABELS)}, indent=2))
        return 0
    print(f"rows {s['n']}   accuracy {s['accuracy']:.3f}   macro-F1 {s['macro_f1']:.3f}")
    print(f"{'label':<14}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}")
    for lab, m in s["per_class"].items():
        print(f"{lab:<14}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>10.3f}{m['support']:>9}")
    print("\nconfusion (rows true, columns predicted)")
    print(cm.to_string())
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from .train import main as train_main

    return train_main(args.train_args)


def _cmd_info(args: argparse.Namespace) -> int:
    from .predict import default_model, default_model_path

    custom = _model(args)
    model = custom or default_model()
    where = (getattr(args, "model", None) or os.environ.get(MODEL_ENV)) if custom is not None else default_model_path()
    meta = model.metadata
    val = meta.get("metrics", {}).get("validation", {}).get("with_title", {})
    loso = meta.get("metrics", {}).get("leave_one_source_out", {}).get("with_title", {}).get("pooled", {})
    lines = [
        f"officeclass {__version__}",
        f"model version: {model.version}",
        f"model file:    {where} (pipeline; scoring arrays in the .npz beside it)",
        f"labels:        {', '.join(meta.get('labels', []))}",
        f"trained with:  scikit-learn {meta.get('versions', {}).get('scikit-learn')}, on {meta.get('training_data', {}).get('rows')} rows",
        f"abstain rule:  top probability < {model.tau:.2f} or lead < {model.delta:.2f}",
    ]
    if val:
        lines.append(f"validation:    macro-F1 {val.get('macro_f1')}, accuracy {val.get('accuracy')}, hybrid F1 {val.get('per_class', {}).get('hybrid', {}).get('f1')}")
    if loso:
        lines.append(f"leave-one-source-out: macro-F1 {loso.get('macro_f1')}")
    print("\n".join(lines))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="officeclass", description="Label job postings as front office, back office or hybrid.", allow_abbrev=False)
    parser.add_argument("--version", action="version", version=f"officeclass {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="show tracebacks on errors")
    # -v also after the command, and --model for every command that scores
    common = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    common.add_argument("-v", "--verbose", action="store_true", dest="verbose_after", help="show tracebacks on errors")
    scoring = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    scoring.add_argument("--model", metavar="FILE", help=f"a model saved by officeclass train or Classifier.save (.skops); default ${MODEL_ENV}, else the shipped one")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    def add(name: str, **kwargs: Any) -> argparse.ArgumentParser:
        return sub.add_parser(name, allow_abbrev=False, parents=[common, *([scoring] if name != "train" else [])], **kwargs)

    p = add("label", help="label a file of postings (CSV, TSV, Parquet, JSON Lines)")
    p.add_argument("input", help="input file, or - for CSV on stdin")
    p.add_argument("-o", "--output", default="-", help="output file (default: CSV on stdout)")
    p.add_argument("--text-column", help="column with the posting text (guessed when unambiguous)")
    p.add_argument("--title-column", default="auto", help="column with the job title (default: the one column named like a title, if any)")
    p.add_argument("--no-title", action="store_true", help="do not use a title column even if one is named like a title")
    p.add_argument("--chunk-size", type=int, default=2_500, help="rows per chunk (default 2500)")
    p.add_argument("--jobs", type=int, default=1, help="worker processes (-1: all cores; default 1)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run of the same command")
    p.add_argument("--on-bad-lines", choices=["error", "skip", "report"], default="error", help="malformed CSV rows: stop, drop, or keep marked bad_row")
    p.add_argument("--encoding", default="utf-8", help="input text encoding (default utf-8; e.g. latin-1)")
    p.add_argument("--explain", action="store_true", help="add officeclass_top_terms, officeclass_roles and officeclass_duties columns")
    p.add_argument("--overwrite", action="store_true", help="replace existing officeclass_* columns and an existing output file")
    p.add_argument("--parents", action="store_true", help="create the output's directory if it does not exist")
    p.add_argument("--delimiter", help="the input CSV's delimiter, e.g. ';' or '\\t' (default: sniffed from the header; output uses the same)")
    p.add_argument("--excel-bom", action="store_true", help="start CSV output with a UTF-8 byte-order mark so Excel reads it right (default: when the input has one)")
    p.add_argument("--input-format", choices=["csv", "tsv", "parquet", "jsonl", "json", "xlsx"], help="override the format guessed from the input name")
    p.add_argument("--output-format", choices=["csv", "tsv", "parquet", "jsonl", "json", "xlsx"], help="override the format guessed from the output name")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    p.set_defaults(func=_cmd_label)

    for name, func, helptext in [("classify", _cmd_classify, "label one posting"), ("explain", _cmd_explain, "explain the label of one posting")]:
        p = add(name, help=helptext)
        p.add_argument("text", nargs="?", default="-", help="posting text, or - to read stdin (default)")
        p.add_argument("--title", help="job title")
        if name == "classify":
            p.add_argument("--json", action="store_true", help="all fields as JSON")
        else:
            p.add_argument("--top", type=int, default=8, help="terms to show each way (default 8)")
        p.set_defaults(func=func)

    p = add("evaluate", help="score the model on a labelled file")
    p.add_argument("file")
    p.add_argument("--text-column", help="column with the posting text")
    p.add_argument("--label-column", required=True, help="column with the true labels")
    p.add_argument("--title-column", default="auto", help="column with the job title (default: the one column named like a title, if any)")
    p.add_argument("--no-title", action="store_true", help="do not use a title column even if one is named like a title")
    p.add_argument("--encoding", default="utf-8")
    p.add_argument("--delimiter", help="the CSV's delimiter (default: sniffed from the header)")
    p.add_argument("--json", action="store_true", help="metrics as JSON")
    p.set_defaults(func=_cmd_evaluate)

    p = sub.add_parser("train", help="rebuild the model from datasets/ (see python -m officeclass.train --help)", add_help=False, allow_abbrev=False)
    p.add_argument("train_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=_cmd_train)

    p = add("info", help="model version, labels, metrics and file location")
    p.set_defaults(func=_cmd_info)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Examples
    --------
    >>> main(["classify", "Reconcile accounts payable and run the monthly payroll."])  # doctest: +SKIP
    back_office	0.93...
    0
    """
    parser = build_parser()
    try:
        args, unknown = parser.parse_known_args(argv)
        if unknown and getattr(args, "func", None) is _cmd_train:
            # argparse's REMAINDER drops a remainder that starts with an option (`train --extra x.csv`)
            args.train_args = [*unknown, *args.train_args]
        elif unknown:
            parser.error(_unknown_message(parser, args, unknown))
    except SystemExit as exc:  # argparse: --help/--version exit 0, usage errors 2
        return int(exc.code or 0)
    verbose = bool(args.verbose or getattr(args, "verbose_after", False))
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `officeclass label x.csv | head`: the reader has all it wants
        _silence_stdout()
        return 0
    except UsageError as exc:
        print(f"officeclass {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except EmptyTextError as exc:  # the data, not the command line, is at fault
        _report(exc, verbose)
        return 1
    except USAGE_ERRORS as exc:
        _report(exc, verbose)
        return 2
    except (OfficeclassError, OSError, ValueError) as exc:
        if _is_broken_pipe(exc):
            _silence_stdout()
            return 0
        _report(exc, verbose)
        return 1


def _is_broken_pipe(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, BrokenPipeError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's final flush does not complain about the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _unknown_message(parser: argparse.ArgumentParser, args: argparse.Namespace, unknown: list[str]) -> str:
    """``unrecognized arguments: --text-collumn (did you mean --text-column?)``."""
    options: list[str] = []
    sub = _subparser(parser, getattr(args, "command", None))
    for action in (sub or parser)._actions:
        options.extend(o for o in action.option_strings if o.startswith("--"))
    message = f"unrecognized arguments: {' '.join(unknown)}"
    for item in unknown:
        if item.startswith("--"):
            close = difflib.get_close_matches(item.split("=", 1)[0], options, n=1, cutoff=0.6)
            if close:
                message += f" (did you mean {close[0]}?)"
                break
    return message


def _subparser(parser: argparse.ArgumentParser, command: str | None) -> argparse.ArgumentParser | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            return action.choices[command]
    return None


def _report(exc: BaseException, verbose: bool) -> None:
    if verbose:
        traceback.print_exception(exc)
    message = str(exc) if not isinstance(exc, KeyError) or isinstance(exc, OfficeclassError) else str(exc.args[0])
    print(f"officeclass: error: {_cli_names(message)}", file=sys.stderr)


def _cli_names(message: str) -> str:
    """The library's "overwrite=True (CLI: --overwrite)" as a command-line user reads it: "--overwrite"."""
    return re.sub(r"\b\w+=[\w'\"]*\s\(CLI: ([^)]+)\)", r"\1", message)
