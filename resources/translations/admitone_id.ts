<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="id_ID">
<context>
    <name>Verdict</name>
    <message>
        <source>ADMITTED</source>
        <translation>SILAKAN MASUK</translation>
    </message>
    <message>
        <source>EXIT RECORDED</source>
        <translation>KELUAR TERCATAT</translation>
    </message>
    <message>
        <source>ALREADY USED</source>
        <translation>SUDAH DIPAKAI</translation>
    </message>
    <message>
        <source>INVALID TICKET</source>
        <translation>TIKET TIDAK SAH</translation>
    </message>
    <message>
        <source>UNKNOWN ISSUER</source>
        <translation>PENERBIT TIDAK DIKENAL</translation>
    </message>
    <message>
        <source>WRONG EVENT</source>
        <translation>ACARA LAIN</translation>
    </message>
    <message>
        <source>NOT VALID YET</source>
        <translation>BELUM BERLAKU</translation>
    </message>
    <message>
        <source>EXPIRED</source>
        <translation>KEDALUWARSA</translation>
    </message>
    <message>
        <source>REVOKED</source>
        <translation>DIBATALKAN</translation>
    </message>
    <message>
        <source>NOT ALLOWED HERE</source>
        <translation>BUKAN DI SINI</translation>
    </message>
    <message>
        <source>ALREADY INSIDE</source>
        <translation>SUDAH DI DALAM</translation>
    </message>
    <message>
        <source>NOT IN LIST</source>
        <translation>TIDAK ADA DI DAFTAR</translation>
    </message>
    <message>
        <source>STORAGE FULL</source>
        <translation>PENYIMPANAN PENUH</translation>
    </message>
    <message>
        <source>not recorded</source>
        <translation>tidak tercatat</translation>
    </message>
    <message>
        <source>cannot record: let no one in, call the supervisor</source>
        <translation>tidak bisa mencatat: jangan izinkan masuk, panggil supervisor</translation>
    </message>
    <message>
        <source>INCOMPLETE SCAN</source>
        <translation>PINDAI TIDAK LENGKAP</translation>
    </message>
    <message>
        <source>Only part of a code arrived: scan again</source>
        <translation>Hanya sebagian kode terbaca: pindai lagi</translation>
    </message>
    <message>
        <source>admitted</source>
        <translation>masuk</translation>
    </message>
    <message>
        <source>exits</source>
        <translation>keluar</translation>
    </message>
    <message>
        <source>already used</source>
        <translation>sudah dipakai</translation>
    </message>
    <message>
        <source>invalid</source>
        <translation>tidak sah</translation>
    </message>
    <message>
        <source>unknown issuer</source>
        <translation>penerbit tidak dikenal</translation>
    </message>
    <message>
        <source>wrong event</source>
        <translation>acara lain</translation>
    </message>
    <message>
        <source>too early</source>
        <translation>terlalu awal</translation>
    </message>
    <message>
        <source>expired</source>
        <translation>kedaluwarsa</translation>
    </message>
    <message>
        <source>revoked</source>
        <translation>dibatalkan</translation>
    </message>
    <message>
        <source>not allowed here</source>
        <translation>bukan di sini</translation>
    </message>
    <message>
        <source>already inside</source>
        <translation>sudah di dalam</translation>
    </message>
    <message>
        <source>not in list</source>
        <translation>tidak ada di daftar</translation>
    </message>
    <message>
        <source>other</source>
        <translation>lainnya</translation>
    </message>
    <message>
        <source>refunded</source>
        <translation>uang dikembalikan</translation>
    </message>
    <message>
        <source>transferred to someone else</source>
        <translation>dialihkan ke orang lain</translation>
    </message>
    <message>
        <source>blocked by the organiser</source>
        <translation>diblokir penyelenggara</translation>
    </message>
    <message>
        <source>forged or damaged code</source>
        <translation>kode palsu atau rusak</translation>
    </message>
    <message>
        <source>not an AdmitOne code</source>
        <translation>bukan kode AdmitOne</translation>
    </message>
    <message>
        <source>incomplete code: scan again</source>
        <translation>kode tidak lengkap: pindai lagi</translation>
    </message>
    <message>
        <source>empty code: scan again</source>
        <translation>kode kosong: pindai lagi</translation>
    </message>
    <message>
        <source>never admitted: use the main entrance</source>
        <translation>belum pernah masuk: lewat pintu utama</translation>
    </message>
    <message>
        <source>no VIP access</source>
        <translation>tanpa akses VIP</translation>
    </message>
    <message>
        <source>was not recorded inside</source>
        <translation>tidak tercatat di dalam</translation>
    </message>
    <message>
        <source>not signed by this event's organiser: send the guest to the box office</source>
        <translation>tidak ditandatangani penyelenggara acara ini: arahkan tamu ke loket</translation>
    </message>
    <message>
        <source>this ticket is for {event}</source>
        <translation>tiket ini untuk {event}</translation>
    </message>
    <message>
        <source>this ticket is for event no. {n}</source>
        <translation>tiket ini untuk acara no. {n}</translation>
    </message>
    <message>
        <source>valid {start} to {end}</source>
        <translation>berlaku {start} sampai {end}</translation>
    </message>
    <message>
        <source>READY</source>
        <translation>SIAP</translation>
    </message>
    <message>
        <source>Show your ticket to the camera</source>
        <translation>Tunjukkan tiket Anda ke kamera</translation>
    </message>
    <message>
        <source>override by {who}: {why}</source>
        <translation>diizinkan oleh {who}: {why}</translation>
    </message>
    <message>
        <source>seat {section} row {row} no. {number}</source>
        <translation>kursi {section} baris {row} no. {number}</translation>
    </message>
    <message>
        <source>accessible</source>
        <translation>akses disabilitas</translation>
    </message>
    <message>
        <source>VIP</source>
        <translation>VIP</translation>
    </message>
    <message>
        <source>♿ ACCESSIBLE</source>
        <translation>♿ DISABILITAS</translation>
    </message>
    <message>
        <source>not in the synced list yet: genuine signature</source>
        <translation>belum ada di daftar tersinkron: tanda tangan asli</translation>
    </message>
    <message>
        <source>first used {time} at {gate}</source>
        <translation>pertama dipakai {time} di {gate}</translation>
    </message>
    <message>
        <source>entered {time} at {gate}</source>
        <translation>masuk {time} di {gate}</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <source>Mode: {mode}</source>
        <translation>Mode: {mode}</translation>
    </message>
    <message>
        <source>Gate: {gate}</source>
        <translation>Gerbang: {gate}</translation>
    </message>
    <message>
        <source>Event: {events}</source>
        <translation>Acara: {events}</translation>
    </message>
    <message>
        <source>⚠ NOT ENROLLED</source>
        <translation>⚠ BELUM TERDAFTAR</translation>
    </message>
    <message>
        <source>✖ SYNC REFUSED: ask the organiser for a new enrolment code</source>
        <translation>✖ SINKRON DITOLAK: minta kode pendaftaran baru kepada penyelenggara</translation>
    </message>
    <message>
        <source>✔ ONLINE</source>
        <translation>✔ DARING</translation>
    </message>
    <message>
        <source>⚠ OFFLINE</source>
        <translation>⚠ LURING</translation>
    </message>
    <message>
        <source>Last sync: {age}</source>
        <translation>Sinkron terakhir: {age}</translation>
    </message>
    <message>
        <source>Pending: {n}</source>
        <translation>Menunggu: {n}</translation>
    </message>
    <message>
        <source>List age: {age}</source>
        <translation>Umur daftar: {age}</translation>
    </message>
    <message>
        <source>Admitted: {n}</source>
        <translation>Masuk: {n}</translation>
    </message>
    <message>
        <source>✔ camera OK</source>
        <translation>✔ kamera OK</translation>
    </message>
    <message>
        <source>✖ CAMERA FAILED: check the cable</source>
        <translation>✖ KAMERA GAGAL: periksa kabelnya</translation>
    </message>
    <message>
        <source>camera starting</source>
        <translation>kamera menyala</translation>
    </message>
    <message>
        <source>video ended</source>
        <translation>video selesai</translation>
    </message>
    <message>
        <source>no camera: use the hand scanner</source>
        <translation>tanpa kamera: pakai pemindai genggam</translation>
    </message>
    <message>
        <source>⚠ CLOCK OFF BY {n} s</source>
        <translation>⚠ JAM MELESET {n} d</translation>
    </message>
    <message>
        <source>✖ LIST NOT UPDATED SINCE {time}: the server's answer failed its check</source>
        <translation>✖ DAFTAR TIDAK DIPERBARUI SEJAK {time}: jawaban server gagal diperiksa</translation>
    </message>
    <message>
        <source>⚠ list not updated since {time}</source>
        <translation>⚠ daftar tidak diperbarui sejak {time}</translation>
    </message>
    <message>
        <source>⚠ UNENCRYPTED SYNC: closed LAN only</source>
        <translation>⚠ SINKRON TANPA ENKRIPSI: hanya LAN tertutup</translation>
    </message>
    <message>
        <source>⚠ {n} records cannot be uploaded: tell the organiser</source>
        <translation>⚠ {n} catatan tidak bisa diunggah: beri tahu penyelenggara</translation>
    </message>
    <message>
        <source>never</source>
        <translation>belum pernah</translation>
    </message>
    <message>
        <source>{n} s</source>
        <translation>{n} d</translation>
    </message>
    <message>
        <source>{n} min</source>
        <translation>{n} mnt</translation>
    </message>
    <message>
        <source>{n} h</source>
        <translation>{n} j</translation>
    </message>
    <message>
        <source>ENTRY</source>
        <translation>MASUK</translation>
    </message>
    <message>
        <source>EXIT</source>
        <translation>KELUAR</translation>
    </message>
    <message>
        <source>REENTRY</source>
        <translation>MASUK ULANG</translation>
    </message>
    <message>
        <source>VIP</source>
        <translation>VIP</translation>
    </message>
</context>
<context>
    <name>Kiosk</name>
    <message>
        <source>Type a ticket code and press Enter</source>
        <translation>Ketik kode tiket lalu tekan Enter</translation>
    </message>
    <message>
        <source>ENROLMENT CODE</source>
        <translation>KODE PENDAFTARAN</translation>
    </message>
    <message>
        <source>ENROLLING</source>
        <translation>MENDAFTAR</translation>
    </message>
    <message>
        <source>With {server}…</source>
        <translation>Ke {server}…</translation>
    </message>
    <message>
        <source>This kiosk is enrolled: a supervisor enrols it again from the panel</source>
        <translation>Kios ini sudah terdaftar: supervisor mendaftarkannya ulang dari panel</translation>
    </message>
    <message>
        <source>NOT ENROLLED</source>
        <translation>TIDAK TERDAFTAR</translation>
    </message>
    <message>
        <source>ENROLLED</source>
        <translation>TERDAFTAR</translation>
    </message>
    <message>
        <source>Gate: {gate}</source>
        <translation>Gerbang: {gate}</translation>
    </message>
    <message>
        <source>Failed: {error}</source>
        <translation>Gagal: {error}</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>Supervisor</translation>
    </message>
    <message>
        <source>CAMERA PROBLEM: check that it is plugged in. Retrying…</source>
        <translation>MASALAH KAMERA: periksa sambungannya. Mencoba lagi…</translation>
    </message>
    <message>
        <source>Hand scanner and typed codes still work.</source>
        <translation>Pemindai genggam dan kode ketik tetap berfungsi.</translation>
    </message>
    <message>
        <source>No camera: scan with the hand scanner or type the code</source>
        <translation>Tanpa kamera: pindai dengan pemindai genggam atau ketik kodenya</translation>
    </message>
</context>
<context>
    <name>Supervisor</name>
    <message>
        <source>Supervisor</source>
        <translation>Supervisor</translation>
    </message>
    <message>
        <source>Supervisor PIN</source>
        <translation>PIN supervisor</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>Buka</translation>
    </message>
    <message>
        <source>Back to the kiosk</source>
        <translation>Kembali ke kios</translation>
    </message>
    <message>
        <source>Locked after too many wrong PINs; try again at {time}</source>
        <translation>Terkunci karena terlalu banyak PIN salah; coba lagi pukul {time}</translation>
    </message>
    <message>
        <source>Wrong PIN; {n} tries left</source>
        <translation>PIN salah; sisa {n} kali</translation>
    </message>
    <message>
        <source>No supervisor PIN is set: run 'admitone kiosk set-pin'</source>
        <translation>PIN supervisor belum diatur: jalankan 'admitone kiosk set-pin'</translation>
    </message>
    <message>
        <source>Override a rejection</source>
        <translation>Izinkan tamu yang ditolak</translation>
    </message>
    <message>
        <source>No rejection to override.</source>
        <translation>Tidak ada penolakan untuk diizinkan.</translation>
    </message>
    <message>
        <source>scanned at {time}</source>
        <translation>dipindai pukul {time}</translation>
    </message>
    <message>
        <source>ticket {id}</source>
        <translation>tiket {id}</translation>
    </message>
    <message>
        <source>Reason for letting this guest in</source>
        <translation>Alasan mengizinkan tamu ini masuk</translation>
    </message>
    <message>
        <source>Override: let this guest in</source>
        <translation>Izinkan: tamu ini boleh masuk</translation>
    </message>
    <message>
        <source>Let in: {title}. {detail}</source>
        <translation>Diizinkan: {title}. {detail}</translation>
    </message>
    <message>
        <source>This gate</source>
        <translation>Gerbang ini</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>Mode</translation>
    </message>
    <message>
        <source>Gate name</source>
        <translation>Nama gerbang</translation>
    </message>
    <message>
        <source>Event numbers</source>
        <translation>Nomor acara</translation>
    </message>
    <message>
        <source>Decoder</source>
        <translation>Dekoder</translation>
    </message>
    <message>
        <source>all decoders (recommended)</source>
        <translation>semua dekoder (disarankan)</translation>
    </message>
    <message>
        <source>ZXing only</source>
        <translation>hanya ZXing</translation>
    </message>
    <message>
        <source>ZBar only</source>
        <translation>hanya ZBar</translation>
    </message>
    <message>
        <source>OpenCV only</source>
        <translation>hanya OpenCV</translation>
    </message>
    <message>
        <source>WeChat (OpenCV) only</source>
        <translation>hanya WeChat (OpenCV)</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>Kamera</translation>
    </message>
    <message>
        <source>camera number, video file or folder</source>
        <translation>nomor kamera, berkas video atau folder</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Terapkan</translation>
    </message>
    <message>
        <source>Sync server</source>
        <translation>Server sinkron</translation>
    </message>
    <message>
        <source>server address</source>
        <translation>alamat server</translation>
    </message>
    <message>
        <source>Enrolment code</source>
        <translation>Kode pendaftaran</translation>
    </message>
    <message>
        <source>one-time enrolment code</source>
        <translation>kode pendaftaran sekali pakai</translation>
    </message>
    <message>
        <source>Enrol</source>
        <translation>Daftarkan</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Sinkron sekarang</translation>
    </message>
    <message>
        <source>Leave full screen</source>
        <translation>Keluar layar penuh</translation>
    </message>
    <message>
        <source>Quit AdmitOne</source>
        <translation>Tutup AdmitOne</translation>
    </message>
    <message>
        <source>Close: back to the kiosk</source>
        <translation>Tutup: kembali ke kios</translation>
    </message>
    <message>
        <source>ENTRY</source>
        <translation>MASUK</translation>
    </message>
    <message>
        <source>EXIT</source>
        <translation>KELUAR</translation>
    </message>
    <message>
        <source>REENTRY</source>
        <translation>MASUK ULANG</translation>
    </message>
    <message>
        <source>VIP</source>
        <translation>VIP</translation>
    </message>
    <message>
        <source>Event numbers are numbers, separated by commas</source>
        <translation>Nomor acara berupa angka, dipisah koma</translation>
    </message>
    <message>
        <source>There is no rejection to override</source>
        <translation>Tidak ada penolakan untuk diizinkan</translation>
    </message>
    <message>
        <source>Type the reason first</source>
        <translation>Ketik alasannya dulu</translation>
    </message>
    <message>
        <source>Failed: {error}</source>
        <translation>Gagal: {error}</translation>
    </message>
    <message>
        <source>Settings applied</source>
        <translation>Pengaturan diterapkan</translation>
    </message>
    <message>
        <source>Override recorded</source>
        <translation>Izin tercatat</translation>
    </message>
    <message>
        <source>Synced with the server</source>
        <translation>Tersinkron dengan server</translation>
    </message>
    <message>
        <source>Enrolled: this kiosk now syncs</source>
        <translation>Terdaftar: kios ini kini tersinkron</translation>
    </message>
    <message>
        <source>Enrolment code read: press Enrol to use it</source>
        <translation>Kode pendaftaran terbaca: tekan Daftarkan untuk memakainya</translation>
    </message>
    <message>
        <source>Camera switched</source>
        <translation>Kamera diganti</translation>
    </message>
    <message>
        <source>No scans yet</source>
        <translation>Belum ada pindaian</translation>
    </message>
    <message>
        <source>Type the server address and the enrolment code</source>
        <translation>Ketik alamat server dan kode pendaftaran</translation>
    </message>
</context>
</TS>
