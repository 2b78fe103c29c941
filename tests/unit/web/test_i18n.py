"""The dashboard speaks Thai (Buddhist Era, Bangkok time) by default, English on request."""

from __future__ import annotations

import datetime as dt

from ictops.web import i18n


def test_every_word_exists_in_both_languages():
    assert set(i18n.STRINGS["th"]) == set(i18n.STRINGS["en"])
    assert all(i18n.STRINGS["th"][k].strip() for k in i18n.STRINGS["th"])


def test_words_reach_keys_that_a_dict_would_shadow():
    words = i18n.words("th")
    assert words.clear == "ล้าง" and words["v_n/a"] == "ไม่เกี่ยวข้อง"
    assert i18n.words("xx").fleet == "สถานะเครื่อง"  # unknown language: Thai


def test_times_are_bangkok_and_thai_dates_buddhist_era():
    moment = dt.datetime(2026, 11, 30, 21, 5, tzinfo=dt.timezone.utc)  # 04:05 on 1 Dec in Bangkok
    assert i18n.when(moment, "th") == "1 ธ.ค. 2569 04:05 น."
    assert i18n.when(moment, "en") == "1 Dec 2026 04:05"
    assert i18n.day(dt.date(2026, 12, 1), "th") == "1 ธ.ค. 2569"
    assert i18n.day(dt.date(2026, 12, 1), "en") == "1 Dec 2026"
    assert i18n.when(None, "th") == "-"
