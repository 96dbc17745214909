"""Importing ccwfm has no side effects: no pyplot, no backend switch, no output."""

import subprocess
import sys


def _run(code, cwd):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd)


def test_import_plan_leaves_matplotlib_and_stdout_alone(tmp_path):
    code = ("import sys, matplotlib\n"
            "before = matplotlib.rcParams._get_backend_or_none()\n"
            "import ccwfm.plan, ccwfm.plan.report, ccwfm.plan.cli\n"
            "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
            "assert matplotlib.rcParams._get_backend_or_none() == before, 'backend changed'\n")
    out = _run(code, tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "" and out.stderr == ""


def test_report_draws_without_pyplot(tmp_path):
    code = ("import sys, pandas as pd\n"
            "from ccwfm.plan import report\n"
            "cap = pd.DataFrame({'week': pd.date_range('2025-01-06', periods=3, freq='7D'),\n"
            "                    'required_fte': [1.0, 2, 3], 'productive_fte': [1.0, 2, 3],\n"
            "                    'headcount_end': [1.0, 2, 3]})\n"
            "class R: capacity = cap\n"
            "fig = report._chart_capacity(R())\n"
            "import io; fig.savefig(io.BytesIO(), format='png')\n"
            "assert 'matplotlib.pyplot' not in sys.modules\n")
    out = _run(code, tmp_path)
    assert out.returncode == 0, out.stderr
