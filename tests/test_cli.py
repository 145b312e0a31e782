import json
import subprocess
import sys


from officeclass import __version__
from officeclass.cli import main

SAMPLE = "id,title,description\n1,Sales Executive,Close sales deals with new clients\n2,Payroll Clerk,Run the payroll and general ledger\n"


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "officeclass", *args], input=stdin, capture_output=True, text=True)


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"officeclass {__version__}"


def test_python_m_help():
    r = run("--help")
    assert r.returncode == 0
    assert "label" in r.stdout and "classify" in r.stdout


def test_usage_error_exits_2(capsys):
    assert main(["label"]) == 2
    assert "the following arguments are required: input" in capsys.readouterr().err


def test_unknown_command_exits_2(capsys):
    assert main(["frobnicate"]) == 2


def test_classify_argument(capsys):
    assert main(["classify", "Run the monthly payroll and reconcile the general ledger."]) == 0
    out = capsys.readouterr().out
    assert out.startswith("back_office\t")


def test_classify_stdin_json():
    r = run("classify", "--json", "-", stdin="Cold-call prospects and close new sales deals.")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["label"] == "front_office"
    assert set(data["probabilities"]) == {"front_office", "back_office", "hybrid"}
    assert data["roles"][0]["term"] == "sales"


def test_explain_prints_terms(capsys):
    assert main(["explain", "Close sales deals with clients", "--title", "Sales Executive"]) == 0
    out = capsys.readouterr().out
    assert "terms for:" in out and "front office roles (seed lexicon): sales" in out


def test_label_to_stdout_and_summary_to_stderr(tmp_path):
    (tmp_path / "in.csv").write_text(SAMPLE)
    r = run("label", str(tmp_path / "in.csv"), "--title-column", "title")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("id,title,description,officeclass_label,")
    assert len(lines) == 3
    assert "labelled 2 of 2 rows" in r.stderr and "officeclass_label" not in r.stderr


def test_label_guesses_a_title_column_and_says_so(tmp_path):
    (tmp_path / "in.csv").write_text(SAMPLE)
    r = run("label", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.csv"))
    assert r.returncode == 0, r.stderr
    assert "text column 'description', title column 'title'" in r.stderr
    r = run("label", str(tmp_path / "in.csv"), "-o", str(tmp_path / "p.csv"), "--no-title")
    assert "text column 'description', no title column" in r.stderr


def test_label_from_stdin():
    r = run("label", "-", "--text-column", "description", "-q", stdin=SAMPLE)
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.splitlines()) == 3
    assert r.stderr == ""


def test_missing_column_exits_2_with_one_line(tmp_path):
    (tmp_path / "postings.csv").write_text(SAMPLE)
    r = run("label", str(tmp_path / "postings.csv"), "--text-column", "descripton", "-o", str(tmp_path / "o.csv"))
    assert r.returncode == 2
    assert r.stderr.strip() == (
        "officeclass: error: Column 'descripton' not in postings.csv; available: id, title, description. Did you mean 'description'?"
    )
    assert "Traceback" not in r.stderr


def test_data_error_exits_1_and_verbose_shows_traceback(tmp_path):
    (tmp_path / "in.csv").write_text("")
    r = run("label", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.csv"))
    assert r.returncode == 1
    assert r.stderr.strip().startswith("officeclass: error: in.csv is empty") and "Traceback" not in r.stderr
    r = run("-v", "label", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.csv"))
    assert r.returncode == 1 and "Traceback" in r.stderr


def test_missing_input_file_exits_1(tmp_path, capsys):
    assert main(["label", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "o.csv")]) == 1
    assert "No input file" in capsys.readouterr().err


def test_evaluate(tmp_path, capsys):
    (tmp_path / "gold.csv").write_text(
        "description,label\nClose sales deals with new clients,front_office\nRun the payroll and general ledger,back_office\n"
    )
    assert main(["evaluate", str(tmp_path / "gold.csv"), "--text-column", "description", "--label-column", "label", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n"] == 2 and data["accuracy"] == 1.0
    assert data["confusion"][0][0] == 1


def test_evaluate_rejects_unknown_labels(tmp_path, capsys):
    (tmp_path / "gold.csv").write_text("description,label\nsell,sales\n")
    assert main(["evaluate", str(tmp_path / "gold.csv"), "--text-column", "description", "--label-column", "label"]) == 2
    assert "has values ['sales'] that are not labels" in capsys.readouterr().err


def test_info(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "model version: officeclass-" in out and "front_office, back_office, hybrid" in out


def test_train_passes_its_options_through_to_the_trainer(tmp_path, capsys):
    bad = tmp_path / "mine.csv"
    bad.write_text("text,label\nSell.,front\n", encoding="utf-8")
    corpus = tmp_path / "corpus.csv"
    corpus.write_text("unused", encoding="utf-8")
    assert main(["train", "--corpus", str(corpus), "--extra", str(bad), "--out", str(tmp_path / "model")]) == 1
    assert capsys.readouterr().err == (
        "error: mine.csv: 1 row with unknown labels: line 2 ('front'); use one of front_office, back_office, hybrid.\n"
    )


def test_unknown_option_of_another_command_is_a_usage_error(capsys):
    assert main(["classify", "--bogus", "Run payroll."]) == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err
