"""The work manual as data: the built-in catalogue, an office's own file, and input errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ictops.audit.catalogue import Catalogue, CatalogueError
from ictops.errors import InputError
from tests.fixtures import fixture



@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load()


def test_builtin_has_processes_1_to_9_with_sources(catalogue: Catalogue) -> None:
    assert catalogue.process_numbers == list(range(1, 10))
    for proc in catalogue.processes:
        assert proc.source.startswith("seeds/004_")
        assert proc.name_th and proc.name_en and proc.steps
    assert {p.number for p in catalogue.processes if p.also_in} == {2, 4, 5, 6}


def test_process_2_has_the_six_steps(catalogue: Catalogue) -> None:
    proc = catalogue.process(2)
    assert proc.name_th == "ติดตั้ง ดูแล บำรุงรักษา และพัฒนา"
    assert [s.stage for s in proc.steps] == [
        "appoint", "plan", "approve", "notify", "carry_out", "report",
    ]
    assert catalogue.step(2, 1).name_th == "แต่งตั้งคณะทำงาน"
    assert catalogue.step(2, 1).name_en == "Appoint the working team"
    assert catalogue.step(2, 3).name_en.startswith("Propose the plan to the director")
    assert catalogue.step(2, 4).name_en.startswith("Notify those concerned")
    assert catalogue.step(2, 5).duration_th == "ตลอดปีงบประมาณ"
    assert catalogue.step(2, 6).name_en.startswith("Summarise and evaluate")
    assert catalogue.step_for(2, "approve").number == 3


def test_process_7_has_five_steps(catalogue: Catalogue) -> None:
    assert catalogue.process(7).step_numbers == [1, 2, 3, 4, 5]


# Thai combining marks: PDF extraction moves them around, so compare without them.
_MARKS = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\\s]")


def _skeleton(text: str) -> str:
    return _MARKS.sub("", text)


def test_thai_names_are_as_written_in_the_manual(catalogue: Catalogue) -> None:
    source = _skeleton(fixture("manuals/004_d3274eab15c09460.txt").read_text(encoding="utf-8"))
    for proc in catalogue.processes:
        assert _skeleton(proc.name_th) in source, proc.number
        for step in proc.steps:
            assert _skeleton(step.name_th) in source, (proc.number, step.number)


def test_unknown_process_names_the_valid_ones(catalogue: Catalogue) -> None:
    with pytest.raises(CatalogueError, match=r"unknown process 10; .* has processes 1, 2, .*9"):
        catalogue.process(10)


def test_unknown_step_names_the_valid_ones(catalogue: Catalogue) -> None:
    with pytest.raises(InputError, match=r"unknown step 7 of process 2 .*its steps are 1, 2, 3, 4, 5, 6"):
        catalogue.step(2, 7)


OWN = """\
manual:
  title_th: คู่มือทดสอบ
  title_en: Test manual
processes:
  - number: 2
    name_th: ติดตั้ง
    name_en: Install
    source: our-manual.pdf
    steps:
      - {number: 1, name_th: แต่งตั้ง, name_en: Appoint}
      - {number: 2, name_th: ดำเนินการ, name_en: Carry out, stage: carry_out}
"""


def test_an_office_can_replace_the_catalogue(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_text(OWN, encoding="utf-8")
    own = Catalogue.load(path)
    assert own.process_numbers == [2]
    assert own.step(2, 2).stage == "carry_out"
    with pytest.raises(CatalogueError, match="has processes 2"):
        own.process(1)


@pytest.mark.parametrize(
    "text, line, message",
    [
        (OWN.replace("    source:", "    sorce:"), 8, r"unknown key 'processes.0.sorce'"),
        (OWN.replace("name_en: Carry out,", "name_en: Carry out, stag: x,"), 11, r"unknown key .*stag"),
        (OWN.replace("number: 2, name_th: ดำเนินการ", "number: 3, name_th: ดำเนินการ"), 9, r"numbered 1\.\.2 in order, found 1, 3"),
        (OWN.replace("stage: carry_out", "stage: dance"), 11, r"cannot be text 'dance'; use one of"),
        (OWN.replace("title_en: Test manual\n", "title_en: [unclosed\n"), 3, r"malformed YAML"),
        ("", 1, r"file is empty"),
    ],
)
def test_bad_catalogue_is_a_file_line_error(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        Catalogue.load(path, shown_as="office/catalogue.yaml")
    # one line per problem, each "file:line: what; fix"
    lines = str(info.value).splitlines()
    assert any(
        x.startswith(f"office/catalogue.yaml:{line}: ") and re.search(message, x) for x in lines
    ), lines
