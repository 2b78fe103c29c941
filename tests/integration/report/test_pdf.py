"""The director's report printed to PDF by real headless Chromium gives its Thai text back."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ictops.report import find_thai_font, write_report
from ictops.report.pdf import CHROMIUM_NAMES
from ictops.report.model import ReportData
from ictops.report.sample import SAMPLE_FAILURE_REASON, sample_records, sample_report

# make test installs chromium and poppler-utils (Makefile OS_PACKAGES): missing ones fail here.
MISSING = [n for n, found in (
    ("chromium", any(shutil.which(n) for n in CHROMIUM_NAMES)),
    ("pdftotext", shutil.which("pdftotext")), ("pdffonts", shutil.which("pdffonts")),
) if not found]


@pytest.fixture(autouse=True)
def _tools() -> None:
    if MISSING:
        pytest.fail(f"{', '.join(MISSING)} not installed: apt-get install chromium poppler-utils "
                    "(make test does it)")


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


def test_signatures_close_the_report_with_its_conclusion_never_alone(tmp_path: Path) -> None:
    # long enough that a page break must fall somewhere near the end
    data = sample_report()
    records = sample_records(nights=9)  # without keeping them together, they split here
    longer = ReportData.from_records(records, data.scores, data.backups, data.patches,
                                     office=data.office, reporter=data.reporter,
                                     director=data.director)
    for report in (data, longer):
        (pdf,) = write_report(report, tmp_path / f"r{id(report)}", "th", formats=("pdf",))
        pages = [_squash(p) for p in _text(pdf).split("\f") if p.strip()]
        (signed,) = [i for i, p in enumerate(pages) if _squash("ลงชื่อ") in p]
        assert _squash("สรุปและข้อเสนอ") in pages[signed]  # the conclusion is on the same page
        assert _squash("(นายวิเชียร ศรีสุวรรณ)") in pages[signed]
        after = pages[signed + 1:]
        assert all(_squash("ภาคผนวก") in p or _squash("หน้า") in p for p in after)
        if report.failures:
            assert _squash("ภาคผนวก") in after[0]  # the appendix follows on its own page
