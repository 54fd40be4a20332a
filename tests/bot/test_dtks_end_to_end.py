"""The whole DTKS round trip as a user runs it: `kawal households import`, then in `kawal chat`
(piped stdin) verify a household, update its members and housing, propose a new household, then
`kawal export` and compare the exported XLSX cells with the answers given."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook

from tests.bot.test_console_chat import kawal

REGISTER = Path(__file__).resolve().parents[1] / "data" / "dtks_register_sri_menanti.csv"

VERIFY = [
    "1",  # menu: Verifikasi keluarga
    "1804191611200001",  # search by No. KK
    "1",  # Agus Hidayat
    "1",  # Ditemukan
    "tetap",  # address
    "4",  # RT 006 -> 4
    "tetap",  # RW
    "ya",  # head lives here
    "081234567890",
    "Rumah dicat ulang",  # notes
    "simpan",
]
MEMBERS = [
    "2",  # menu: Anggota keluarga
    "Agus Hidayat",
    "1",
    "1",  # the member to change: Agus
    # Agus: keep presence, name, sex, birth date, NIK, relation; then marital, education, job
    *["tetap"] * 6,
    "2",  # Kawin
    "4",  # SMA/SMK/sederajat
    "Petani kopi",
    "7",  # disability: Tidak ada
    "2",  # Lestari
    "2",  # Meninggal
    # Darmawan and Sukri: still here
    "3",
    *["tetap"] * 6,
    *["1", "2", "lewati", "7"],
    "4",
    *["tetap"] * 6,
    *["1", "2", "lewati", "7"],
    "Tambah anggota",  # a new member ("baru" without asking)
    "Bayi Hidayat",
    "1",  # Laki-laki
    "01-01-2025",
    "9999999999999995",
    "5",  # Cucu
    "1",  # Belum kawin
    "1",  # Tidak/belum sekolah
    "lewati",
    "7",
    "selesai",  # no more members
    "Bayi lahir Januari",  # notes
    "simpan",
]
HOUSING = [
    "3",  # menu: Kondisi rumah
    "1804191611200001",
    "1",
    "1",  # Milik sendiri
    "36,5",
    "2",  # Keramik
    "1",  # Tembok
    "3",  # Seng
    "4",  # Sumur bor/pompa
    "1",  # Listrik PLN dengan meteran
    "2",  # 900 VA
    "2",  # Elpiji 3 kg
    "1",  # toilet: own
    "5,7",  # Sepeda motor, Telepon pintar
    "1,2",  # PKH, BPNT/Sembako
    "lewati",
    "simpan",
]
PROPOSAL = [
    "4",  # menu: Usulan keluarga baru
    "1804190101250009",
    "Joko Susilo",
    "1",
    "27-04-1990",
    "1804072704900999",
    "Dusun I, Pekon Sri Menanti",
    "2",
    "1",
    "ya",  # one more member
    "Sari Susilo",
    "2",  # Perempuan
    "14-05-1992",
    "1804195405920001",
    "1",  # Istri/suami
    "2",  # Kawin
    "tidak",
    "foto: rumah-joko",
    "lewati",  # no GPS location
    "lewati",
    "simpan",
]


def _rows(sheet) -> list[dict[str, object]]:
    """Rows as dicts by header (a write-only sheet leaves trailing empty cells out)."""
    values = list(sheet.iter_rows(values_only=True))
    width = len(values[0])
    return [
        dict(zip(values[0], (*row, *[None] * (width - len(row))), strict=True))
        for row in values[1:]
    ]


def test_import_update_propose_and_export_through_the_cli(tmp_path: Path) -> None:
    db = tmp_path / "kawal.db"
    kawal("region", "load", "18.04.19", "--db", str(db), cwd=tmp_path)
    checked = kawal(
        "households", "import", str(REGISTER), "--region", "18.04.19.2006", "--check",
        "--db", str(db), cwd=tmp_path,
    )  # fmt: skip
    assert "lolos pemeriksaan: 84 baris, belum diimpor" in checked.stdout
    imported = kawal(
        "households", "import", str(REGISTER), "--region", "18.04.19.2006", "--db", str(db),
        cwd=tmp_path,
    )  # fmt: skip
    assert "84 baris, 30 keluarga baru" in imported.stdout
    again = kawal(
        "households", "import", str(REGISTER), "--region", "18.04.19.2006", "--db", str(db),
        cwd=tmp_path,
    )  # fmt: skip
    assert "0 keluarga baru, 30 keluarga diperbarui" in again.stdout
    code = kawal(
        "invite", "create", "--role", "operator", "--region", "18.04.19.2006", "--db", str(db),
        cwd=tmp_path,
    ).stdout.strip()  # fmt: skip
    script = [f"/start {code}", "1", "Budi Santoso", *VERIFY, *MEMBERS, *HOUSING, *PROPOSAL]
    out = kawal(
        "chat", "--db", str(db), "--user", "hp-budi", cwd=tmp_path,
        stdin="\n".join(script) + "\n",
    ).stdout  # fmt: skip
    assert "✅ Tersimpan. Keluarga Agus Hidayat: diperbarui." in out
    assert "Tinggal di rumah ini → Meninggal" in out
    assert out.count("✅ Tersimpan. Keluarga Agus Hidayat") == 3
    assert "Usulan keluarga baru Joko Susilo tercatat" in out

    target = tmp_path / "ekspor.xlsx"
    exported = kawal(
        "export", "--region", "18.04.19", "--format", "xlsx", "--out", str(target),
        "--db", str(db), cwd=tmp_path,
    )  # fmt: skip
    assert "30 keluarga, 87 anggota, 1 usulan baru" in exported.stdout
    book = load_workbook(target, read_only=True)
    households = _rows(book["Keluarga"])
    members = _rows(book["Anggota"])
    proposals = _rows(book["Usulan Baru"])
    book.close()

    agus = next(h for h in households if h["No. KK"] == "1804191611200001")
    assert agus["Nama Kepala Keluarga"] == "Agus Hidayat"
    assert agus["Status Pemutakhiran"] == "Diperbarui"
    assert agus["Status Keluarga"] == "Ditemukan"
    assert agus["RT"] == "004" and agus["RW"] == "003"  # padded as SIKS-NG shows them
    assert agus["Kepala Keluarga Masih Tinggal"] == "Ya"
    assert agus["No. HP"] == "+6281234567890"
    assert agus["Status Kepemilikan Bangunan"] == "Milik sendiri"
    assert agus["Luas Lantai (m2)"] == 36.5  # a number cell
    assert agus["Jenis Lantai Terluas"] == "Keramik"
    assert agus["Sumber Penerangan"] == "Listrik PLN dengan meteran"
    assert agus["Daya Terpasang"] == "900 VA"
    assert agus["Bahan Bakar Memasak"] == "Elpiji 3 kg"
    assert agus["Aset"] == "Sepeda motor, Telepon pintar (smartphone)"
    assert agus["Bantuan yang Diterima"] == "PKH, BPNT/Sembako"
    assert "RT: 006 → 004" in str(agus["Perubahan"])
    assert "Anggota keluar: Lestari Hidayat (Meninggal)" in str(agus["Perubahan"])
    assert "Anggota baru: Bayi Hidayat (Cucu)" in str(agus["Perubahan"])
    assert agus["Catatan"] == "Rumah dicat ulang | Bayi lahir Januari"
    assert isinstance(agus["Tanggal Diperbarui"], datetime)
    pending = [h for h in households if h["Status Pemutakhiran"] == "Belum diperbarui"]
    assert len(pending) == 29

    family = [m for m in members if m["No. KK"] == "1804191611200001"]
    by_name = {m["Nama"]: m for m in family}
    assert by_name["Agus Hidayat"]["Status Perkawinan"] == "Kawin"
    assert by_name["Agus Hidayat"]["Pendidikan"] == "SMA/SMK/sederajat"
    assert by_name["Agus Hidayat"]["Pekerjaan"] == "Petani kopi"
    assert by_name["Agus Hidayat"]["Disabilitas"] == "Tidak ada"
    assert by_name["Agus Hidayat"]["NIK"] == "1804072704900258"
    assert by_name["Lestari Hidayat"]["Keberadaan"] == "Meninggal"
    assert by_name["Bayi Hidayat"]["Keberadaan"] == "Anggota keluarga baru"
    assert by_name["Bayi Hidayat"]["Hubungan dengan Kepala Keluarga"] == "Cucu"
    assert str(by_name["Bayi Hidayat"]["Tanggal Lahir"]) == "2025-01-01 00:00:00"  # a date cell
    assert by_name["Bayi Hidayat"]["Sumber"] == "Baru"
    assert by_name["Agus Hidayat"]["Sumber"] == "DTKS"
    assert by_name["Bayi Hidayat"]["NIK"] == "9999999999999995"

    [joko] = proposals
    assert joko["No. KK"] == "1804190101250009"
    assert joko["NIK Kepala Keluarga"] == "1804072704900999"
    assert joko["Nama Kepala Keluarga"] == "Joko Susilo"
    assert joko["Jenis Kelamin"] == "Laki-laki"
    assert str(joko["Tanggal Lahir"]) == "1990-04-27 00:00:00"  # a date cell
    assert (joko["RT"], joko["RW"]) == ("002", "001")
    assert joko["Jumlah Anggota"] == 2
    assert joko["Foto Rumah"] == "ada"
    assert joko["Lokasi (lintang, bujur)"] == "tidak ada"
    sari = next(m for m in members if m["Nama"] == "Sari Susilo")
    assert sari["Sumber"] == "Baru" and sari["Jenis Kelamin"] == "Perempuan"

    log = (tmp_path / "kawal.log").read_text(encoding="utf-8")
    for nik in ("1804191611200001", "1804072704900258", "1804072704900999"):
        assert nik not in log


def test_import_of_a_broken_file_fails_with_row_messages(tmp_path: Path) -> None:
    db = tmp_path / "kawal.db"
    kawal("region", "load", "18.04.19", "--db", str(db), cwd=tmp_path)
    broken = tmp_path / "rusak.csv"
    lines = REGISTER.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("1804195405640159", "1.80419E+15")
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        kawal(
            "households", "import", str(broken), "--region", "18.04.19.2006", "--db", str(db),
            cwd=tmp_path,
        )  # fmt: skip
    except subprocess.CalledProcessError as failed:
        assert failed.returncode == 1
        assert "Baris 3, kolom NIK" in failed.stderr and "sebagai Teks" in failed.stderr
    else:
        raise AssertionError("a broken register must not import")
