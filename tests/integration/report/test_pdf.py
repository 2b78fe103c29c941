"""The director's report printed to PDF by real headless Chromium gives its Thai text back."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ictops.report import find_thai_font, write_report
from ictops.report.pdf import CHROMIUM_NAMES
from ictops.report.sample import SAMPLE_FAILURE_REASON, sample_report

if not any(shutil.which(n) for n in CHROMIUM_NAMES):
    pytest.skip(
        "chromium is not installed (apt-get install --no-install-recommends chromium)",
        allow_module_level=True,
    )
for tool in ("pdftotext", "pdffonts"):
    if not shutil.which(tool):
        pytest.skip(
            f"{tool} is not installed (apt-get install poppler-utils)", allow_module_level=True
        )

EXPECTED_TH = [
    "สรุปผลการดำเนินงานบำรุงรักษาระบบเทคโนโลยีสารสนเทศ",
    "ดำเนินงาน",
    "ปีงบประมาณ 2570",
    "19 พฤศจิกายน 2569",
    "ผลการดำเนินงานตามกระบวนการและขั้นตอนของคู่มือการปฏิบัติงาน",
    "ติดตั้ง ดูแล บำรุงรักษา และพัฒนา",
    SAMPLE_FAILURE_REASON,
    "ติดต่อเครื่องไม่ได้",
    "ผู้อำนวยการสำนักงานเขตพื้นที่การศึกษา",
    "หน้า 1 จาก",
]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _text(pdf: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, timeout=60, check=True
    )
    return out.stdout


def _fonts(pdf: Path) -> str:
    out = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, timeout=60, check=True
    )
    return out.stdout


@pytest.fixture(scope="module")
def thai_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    find_thai_font()  # a clear error if the font is missing
    out = tmp_path_factory.mktemp("report") / "report"
    written = write_report(sample_report(), out, "th", formats=("html", "pdf"))
    pdf = written[-1]
    assert pdf.suffix == ".pdf" and pdf.read_bytes().startswith(b"%PDF")
    return pdf


def test_thai_text_extracts_back(thai_pdf: Path) -> None:
    text = _squash(_text(thai_pdf))
    missing = [s for s in EXPECTED_TH if _squash(s) not in text]
    assert not missing, f"not found in pdftotext -raw output: {missing}"


def test_pdf_embeds_laksaman(thai_pdf: Path) -> None:
    fonts = _fonts(thai_pdf)
    assert "Laksaman" in fonts
    assert "Type 3" not in fonts


def test_english_pdf(tmp_path: Path) -> None:
    (pdf,) = write_report(sample_report(), tmp_path / "report-en", "en", formats=("pdf",))
    assert not (tmp_path / "report-en.html").exists()
    text = _squash(_text(pdf))
    assert _squash("IT Systems Maintenance Summary Report") in text
    assert _squash("Page 1 of") in text
