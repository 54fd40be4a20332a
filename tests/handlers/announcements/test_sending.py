"""When an announcement goes out: quiet hours per recipient zone, and what Dinsos is told."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.announcements.sending import send_instant, send_plan, send_plan_text
from handlers.kit.timing import QuietHours

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"
QUIET = QuietHours()  # 21:00-07:00 local


def _utc(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2027, 1, day, hour, minute, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("planned", "zone", "expected"),
    [
        (_utc(10, 3), WIB, _utc(10, 3)),  # 10.00 WIB: at once
        (_utc(10, 15), WIB, _utc(11, 0)),  # 22.00 WIB: 07.00 WIB next morning
        (_utc(10, 15), WITA, _utc(10, 23)),  # 23.00 WITA: 07.00 WITA = 06.00 WIB
        (_utc(10, 15), WIT, _utc(10, 22)),  # 24.00 WIT: 07.00 WIT
        (_utc(10, 23, 30), WIB, _utc(11, 0)),  # 06.30 WIB: half an hour later
        (_utc(11, 0), WIB, _utc(11, 0)),  # 07.00 WIB exactly: the quiet hours are over
        (_utc(10, 13, 59), WIB, _utc(10, 13, 59)),  # 20.59 WIB: still allowed
    ],
)
def test_send_instant(planned: dt.datetime, zone: str, expected: dt.datetime) -> None:
    assert send_instant(planned, zone, QUIET) == expected


def test_no_quiet_hours_means_at_once() -> None:
    assert send_instant(_utc(10, 15), WIB, QuietHours.parse("off")) == _utc(10, 15)


def test_the_plan_groups_recipients_by_when_their_copy_goes_out() -> None:
    plan = send_plan(_utc(10, 15), [WIB, WIB, WITA, WIT, WIB], QUIET)
    assert plan.times == ((_utc(10, 22), 1), (_utc(10, 23), 1), (_utc(11, 0), 3))
    assert (plan.total, plan.held, plan.first_held, plan.last) == (5, 5, _utc(10, 22), _utc(11, 0))
    daytime = send_plan(_utc(10, 3), [WIB, WITA], QUIET)
    assert (daytime.held, daytime.first_held, daytime.last) == (0, None, _utc(10, 3))


def test_what_dinsos_is_told() -> None:
    now = send_plan(_utc(10, 3), [WIB, WIB], QUIET)  # 10.00 WIB
    assert send_plan_text(now, 7, WIB, "id", scheduled=False, quiet=QUIET) == (
        "✅ Pengumuman #7: 2 penerima, dikirim sekarang."
    )
    night = send_plan(_utc(10, 15), [WIB, WIB], QUIET)  # 22.00 WIB: never "sekarang"
    text = send_plan_text(night, 7, WIB, "id", scheduled=False, quiet=QUIET)
    assert "dikirim sekarang" not in text
    assert text == (
        "✅ Pengumuman #7: 2 penerima. Waktu kirim (sekarang) masuk jam tenang 21.00–07.00, "
        "jadi pesan dikirim Senin, 11 Januari 2027 pukul 07.00 WIB."
    )
    # 20.30 WIB is 22.30 WIT: Papua waits, Lampung gets it now.
    split = send_plan(_utc(10, 13, 30), [WIB, WIT, WIB], QUIET)
    text = send_plan_text(split, 8, WIB, "id", scheduled=False, quiet=QUIET)
    assert text == (
        "✅ Pengumuman #8: 3 penerima. 2 dikirim sekarang; bagi 1 lainnya sedang jam tenang "
        "21.00–07.00 di wilayahnya, jadi pesan mereka dikirim Senin, 11 Januari 2027 pukul "
        "05.00 WIB."
    )
    spread = send_plan(_utc(10, 15), [WIB, WITA], QUIET)
    text = send_plan_text(spread, 9, WIB, "en", scheduled=False, quiet=QUIET)
    assert "sent now" not in text
    assert "06:00 WIB to " in text and "07:00 WIB." in text
    later = send_plan(_utc(12, 2), [WIB], QUIET)
    text = send_plan_text(later, 10, WIB, "id", scheduled=True, quiet=QUIET)
    assert (
        text
        == "✅ Pengumuman #10: 1 penerima, dijadwalkan Selasa, 12 Januari 2027 pukul 09.00 WIB."
    )
