"""Write ``translations/admitone_id.ts`` and compile it to ``.qm`` with pyside6-lrelease.

The English source strings are the ones the code passes to ``translate``; a test
checks every one of them has an Indonesian entry here.  Run:
``python resources/make_translations.py`` after changing user-facing text.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape

INDONESIAN: dict[str, dict[str, str]] = {
    "Verdict": {
        "ADMITTED": "SILAKAN MASUK",
        "EXIT RECORDED": "KELUAR TERCATAT",
        "ALREADY USED": "SUDAH DIPAKAI",
        "INVALID TICKET": "TIKET TIDAK SAH",
        "UNKNOWN ISSUER": "PENERBIT TIDAK DIKENAL",
        "WRONG EVENT": "ACARA LAIN",
        "NOT VALID YET": "BELUM BERLAKU",
        "EXPIRED": "KEDALUWARSA",
        "REVOKED": "DIBATALKAN",
        "NOT ALLOWED HERE": "BUKAN DI SINI",
        "EXIT FIRST": "KELUAR DULU",
        "NOT IN LIST": "TIDAK ADA DI DAFTAR",
        "refunded": "uang dikembalikan",
        "transferred to someone else": "dialihkan ke orang lain",
        "blocked by the organiser": "diblokir penyelenggara",
        "forged or damaged code": "kode palsu atau rusak",
        "not an AdmitOne code": "bukan kode AdmitOne",
        "never admitted: use the main entrance": "belum pernah masuk: lewat pintu utama",
        "no VIP access": "tanpa akses VIP",
        "was not recorded inside": "tidak tercatat di dalam",
        "READY": "SIAP",
        "Show your ticket to the camera": "Tunjukkan tiket Anda ke kamera",
        "override by {who}: {why}": "diizinkan oleh {who}: {why}",
        "seat {section} row {row} no. {number}": "kursi {section} baris {row} no. {number}",
        "accessible": "akses disabilitas",
        "not in the synced list yet: genuine signature": "belum ada di daftar tersinkron: tanda tangan asli",
        "first used {time} at {gate}": "pertama dipakai {time} di {gate}",
    },
    "Status": {
        "Mode: {mode}": "Mode: {mode}",
        "Gate: {gate}": "Gerbang: {gate}",
        "Event: {events}": "Acara: {events}",
        "NOT ENROLLED": "BELUM TERDAFTAR",
        "SYNC REFUSED: ask the organiser for a new enrolment code": (
            "SINKRON DITOLAK: minta kode pendaftaran baru kepada penyelenggara"
        ),
        "ONLINE": "DARING",
        "OFFLINE": "LURING",
        "Last sync: {age}": "Sinkron terakhir: {age}",
        "Pending: {n}": "Menunggu: {n}",
        "List age: {age}": "Umur daftar: {age}",
        "Admitted: {n}": "Masuk: {n}",
        "camera OK": "kamera OK",
        "CAMERA FAILED": "KAMERA GAGAL",
        "camera starting": "kamera menyala",
        "video ended": "video selesai",
        "no camera": "tanpa kamera",
        "CLOCK OFF BY {n} s": "JAM MELESET {n} d",
        "never": "belum pernah",
        "{n} s": "{n} d",
        "{n} min": "{n} mnt",
        "{n} h": "{n} j",
        "ENTRY": "MASUK",
        "EXIT": "KELUAR",
        "REENTRY": "MASUK ULANG",
        "VIP": "VIP",
    },
    "Kiosk": {
        "Type a ticket code and press Enter": "Ketik kode tiket lalu tekan Enter",
        "Supervisor": "Supervisor",
        "Camera problem: {message}. Retrying…": "Masalah kamera: {message}. Mencoba lagi…",
    },
    "Supervisor": {
        "Supervisor": "Supervisor",
        "Supervisor PIN": "PIN supervisor",
        "Unlock": "Buka",
        "Locked after too many wrong PINs; try again at {time}": "Terkunci karena terlalu banyak PIN salah; coba lagi pukul {time}",
        "Wrong PIN; {n} tries left": "PIN salah; sisa {n} kali",
        "Mode": "Mode",
        "Gate name": "Nama gerbang",
        "Event ids": "Nomor acara",
        "Decoder": "Dekoder",
        "Apply": "Terapkan",
        "Reason for letting this guest in": "Alasan mengizinkan tamu ini masuk",
        "Override last rejection": "Izinkan penolakan terakhir",
        "Sync now": "Sinkron sekarang",
        "Leave kiosk mode": "Keluar mode kios",
        "ENTRY": "MASUK",
        "EXIT": "KELUAR",
        "REENTRY": "MASUK ULANG",
        "VIP": "VIP",
        "Event ids are numbers, separated by commas": "Nomor acara berupa angka, dipisah koma",
        "There is no rejection to override": "Tidak ada penolakan untuk diizinkan",
        "Type the reason first": "Ketik alasannya dulu",
        "Failed: {error}": "Gagal: {error}",
        "Done: {action}": "Selesai: {action}",
        "camera index, /dev/videoN, video file or folder": "nomor kamera, /dev/videoN, berkas video atau folder",
        "one-time enrolment code": "kode pendaftaran sekali pakai",
        "Enrol": "Daftarkan",
        "Camera": "Kamera",
        "Sync server": "Server sinkron",
        "Type the server address and the enrolment code": "Ketik alamat server dan kode pendaftaran",
    },
}


def write_ts(path: Path) -> None:
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<!DOCTYPE TS>",
        '<TS version="2.1" language="id_ID">',
    ]
    for context, messages in INDONESIAN.items():
        lines += ["<context>", f"    <name>{context}</name>"]
        for source, translation in messages.items():
            lines += [
                "    <message>",
                f"        <source>{escape(source)}</source>",
                f"        <translation>{escape(translation)}</translation>",
                "    </message>",
            ]
        lines.append("</context>")
    lines.append("</TS>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    folder = Path(__file__).parent / "translations"
    folder.mkdir(exist_ok=True)
    ts = folder / "admitone_id.ts"
    write_ts(ts)
    lrelease = shutil.which("pyside6-lrelease") or str(
        Path(sys.executable).with_name("pyside6-lrelease")
    )
    return subprocess.run(
        [lrelease, str(ts), "-qm", str(ts.with_suffix(".qm"))], check=False
    ).returncode


if __name__ == "__main__":
    sys.exit(main())
