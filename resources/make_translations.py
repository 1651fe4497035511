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
        "ALREADY INSIDE": "SUDAH DI DALAM",
        "NOT IN LIST": "TIDAK ADA DI DAFTAR",
        "STORAGE FULL": "PENYIMPANAN PENUH",
        "not recorded": "tidak tercatat",
        "cannot record: let no one in, call the supervisor": (
            "tidak bisa mencatat: jangan izinkan masuk, panggil supervisor"
        ),
        "INCOMPLETE SCAN": "PINDAI TIDAK LENGKAP",
        "Only part of a code arrived: scan again": "Hanya sebagian kode terbaca: pindai lagi",
        "admitted": "masuk",
        "exits": "keluar",
        "already used": "sudah dipakai",
        "invalid": "tidak sah",
        "unknown issuer": "penerbit tidak dikenal",
        "wrong event": "acara lain",
        "too early": "terlalu awal",
        "expired": "kedaluwarsa",
        "revoked": "dibatalkan",
        "not allowed here": "bukan di sini",
        "already inside": "sudah di dalam",
        "not in list": "tidak ada di daftar",
        "other": "lainnya",
        "refunded": "uang dikembalikan",
        "transferred to someone else": "dialihkan ke orang lain",
        "blocked by the organiser": "diblokir penyelenggara",
        "forged or damaged code": "kode palsu atau rusak",
        "not an AdmitOne code": "bukan kode AdmitOne",
        "incomplete code: scan again": "kode tidak lengkap: pindai lagi",
        "empty code: scan again": "kode kosong: pindai lagi",
        "never admitted: use the main entrance": "belum pernah masuk: lewat pintu utama",
        "no VIP access": "tanpa akses VIP",
        "was not recorded inside": "tidak tercatat di dalam",
        "not signed by this event's organiser: send the guest to the box office": (
            "tidak ditandatangani penyelenggara acara ini: arahkan tamu ke loket"
        ),
        "this ticket is for {event}": "tiket ini untuk {event}",
        "this ticket is for event no. {n}": "tiket ini untuk acara no. {n}",
        "valid {start} to {end}": "berlaku {start} sampai {end}",
        "READY": "SIAP",
        "Show your ticket to the camera": "Tunjukkan tiket Anda ke kamera",
        "override by {who}: {why}": "diizinkan oleh {who}: {why}",
        "seat {section} row {row} no. {number}": "kursi {section} baris {row} no. {number}",
        "accessible": "akses disabilitas",
        "VIP": "VIP",
        "♿ ACCESSIBLE": "♿ DISABILITAS",
        "not in the synced list yet: genuine signature": "belum ada di daftar tersinkron: tanda tangan asli",
        "first used {time} at {gate}": "pertama dipakai {time} di {gate}",
        "entered {time} at {gate}": "masuk {time} di {gate}",
    },
    "Status": {
        "Mode: {mode}": "Mode: {mode}",
        "Gate: {gate}": "Gerbang: {gate}",
        "Event: {events}": "Acara: {events}",
        "⚠ NOT ENROLLED": "⚠ BELUM TERDAFTAR",
        "✖ SYNC REFUSED: ask the organiser for a new enrolment code": (
            "✖ SINKRON DITOLAK: minta kode pendaftaran baru kepada penyelenggara"
        ),
        "✔ ONLINE": "✔ DARING",
        "⚠ OFFLINE": "⚠ LURING",
        "Last sync: {age}": "Sinkron terakhir: {age}",
        "Pending: {n}": "Menunggu: {n}",
        "List age: {age}": "Umur daftar: {age}",
        "Admitted: {n}": "Masuk: {n}",
        "✔ camera OK": "✔ kamera OK",
        "✖ CAMERA FAILED: check the cable": "✖ KAMERA GAGAL: periksa kabelnya",
        "camera starting": "kamera menyala",
        "video ended": "video selesai",
        "no camera: use the hand scanner": "tanpa kamera: pakai pemindai genggam",
        "⚠ CLOCK OFF BY {n} s": "⚠ JAM MELESET {n} d",
        "✖ LIST NOT UPDATED SINCE {time}: the server's answer failed its check": (
            "✖ DAFTAR TIDAK DIPERBARUI SEJAK {time}: jawaban server gagal diperiksa"
        ),
        "⚠ list not updated since {time}": "⚠ daftar tidak diperbarui sejak {time}",
        "⚠ UNENCRYPTED SYNC: closed LAN only": "⚠ SINKRON TANPA ENKRIPSI: hanya LAN tertutup",
        "⚠ {n} records cannot be uploaded: tell the organiser": (
            "⚠ {n} catatan tidak bisa diunggah: beri tahu penyelenggara"
        ),
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
        "ENROLMENT CODE": "KODE PENDAFTARAN",
        "ENROLLING": "MENDAFTAR",
        "With {server}…": "Ke {server}…",
        "This kiosk is enrolled: a supervisor enrols it again from the panel": (
            "Kios ini sudah terdaftar: supervisor mendaftarkannya ulang dari panel"
        ),
        "NOT ENROLLED": "TIDAK TERDAFTAR",
        "ENROLLED": "TERDAFTAR",
        "Gate: {gate}": "Gerbang: {gate}",
        "Failed: {error}": "Gagal: {error}",
        "Supervisor": "Supervisor",
        "CAMERA PROBLEM: check that it is plugged in. Retrying…": (
            "MASALAH KAMERA: periksa sambungannya. Mencoba lagi…"
        ),
        "Hand scanner and typed codes still work.": "Pemindai genggam dan kode ketik tetap berfungsi.",
        "No camera: scan with the hand scanner or type the code": (
            "Tanpa kamera: pindai dengan pemindai genggam atau ketik kodenya"
        ),
    },
    "Supervisor": {
        "Supervisor": "Supervisor",
        "Supervisor PIN": "PIN supervisor",
        "Unlock": "Buka",
        "Back to the kiosk": "Kembali ke kios",
        "Locked after too many wrong PINs; try again at {time}": "Terkunci karena terlalu banyak PIN salah; coba lagi pukul {time}",
        "Wrong PIN; {n} tries left": "PIN salah; sisa {n} kali",
        "No supervisor PIN is set: run 'admitone kiosk set-pin'": (
            "PIN supervisor belum diatur: jalankan 'admitone kiosk set-pin'"
        ),
        "Override a rejection": "Izinkan tamu yang ditolak",
        "No rejection to override.": "Tidak ada penolakan untuk diizinkan.",
        "scanned at {time}": "dipindai pukul {time}",
        "ticket {id}": "tiket {id}",
        "Reason for letting this guest in": "Alasan mengizinkan tamu ini masuk",
        "Override: let this guest in": "Izinkan: tamu ini boleh masuk",
        "Let in: {title}. {detail}": "Diizinkan: {title}. {detail}",
        "This gate": "Gerbang ini",
        "Mode": "Mode",
        "Gate name": "Nama gerbang",
        "Event numbers": "Nomor acara",
        "Decoder": "Dekoder",
        "all decoders (recommended)": "semua dekoder (disarankan)",
        "ZXing only": "hanya ZXing",
        "ZBar only": "hanya ZBar",
        "OpenCV only": "hanya OpenCV",
        "WeChat (OpenCV) only": "hanya WeChat (OpenCV)",
        "Camera": "Kamera",
        "camera number, video file or folder": "nomor kamera, berkas video atau folder",
        "Apply": "Terapkan",
        "Sync server": "Server sinkron",
        "server address": "alamat server",
        "Enrolment code": "Kode pendaftaran",
        "one-time enrolment code": "kode pendaftaran sekali pakai",
        "Enrol": "Daftarkan",
        "Sync now": "Sinkron sekarang",
        "Leave full screen": "Keluar layar penuh",
        "Quit AdmitOne": "Tutup AdmitOne",
        "Close: back to the kiosk": "Tutup: kembali ke kios",
        "ENTRY": "MASUK",
        "EXIT": "KELUAR",
        "REENTRY": "MASUK ULANG",
        "VIP": "VIP",
        "Event numbers are numbers, separated by commas": "Nomor acara berupa angka, dipisah koma",
        "There is no rejection to override": "Tidak ada penolakan untuk diizinkan",
        "Type the reason first": "Ketik alasannya dulu",
        "Failed: {error}": "Gagal: {error}",
        "Settings applied": "Pengaturan diterapkan",
        "Override recorded": "Izin tercatat",
        "Synced with the server": "Tersinkron dengan server",
        "Enrolled: this kiosk now syncs": "Terdaftar: kios ini kini tersinkron",
        "Enrolment code read: press Enrol to use it": (
            "Kode pendaftaran terbaca: tekan Daftarkan untuk memakainya"
        ),
        "Camera switched": "Kamera diganti",
        "No scans yet": "Belum ada pindaian",
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
