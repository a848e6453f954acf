"""A hostile corpus through process_archive: every bad file ends as a recorded error with a
reason, the good ones around it still become reports (also one served under a wrong name)."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from pipelines.process import process_archive
from storage import Archive

SITE = Path(__file__).resolve().parents[2] / "crawler" / "sampleweb" / "site"

BOMB_XML = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                       for i in range(1, 10))
            + b']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
              b"<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>")


def _rezip(docx: bytes, name: str, writer) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for i in src.infolist():
            if i.filename == name:
                with z.open(name, "w", force_zip64=True) as fh:
                    writer(fh)
            else:
                z.writestr(i.filename, src.read(i.filename))
    return out.getvalue()


def _doc(truth: dict, group: str, fmt: str) -> dict:
    return next(d for d in truth["reports"] if d["group"] == group and d["format"] == fmt)


def test_hostile_files_are_recorded_and_the_run_carries_on(sqlite_url, tmp_path):
    truth = json.loads((SITE / "truth.json").read_text(encoding="utf-8"))
    pdf = (SITE / _doc(truth, "seed000", "pdf")["file"]).read_bytes()
    docx = (SITE / _doc(truth, "ly-fgw-2022", "docx")["file"]).read_bytes()

    import fitz

    enc = fitz.open(stream=pdf, filetype="pdf")
    encrypted = enc.tobytes(encryption=fitz.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")

    def zeros(fh):
        chunk = b"\0" * (1 << 20)
        for _ in range(120):
            fh.write(chunk)

    hostile = {
        "truncated.pdf": (pdf[: len(pdf) // 2], "application/pdf"),
        "encrypted.pdf": (encrypted, "application/pdf"),
        "bomb.docx": (_rezip(docx, "word/document.xml", zeros),
                      "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        "xmlbomb.docx": (_rezip(docx, "word/document.xml", lambda fh: fh.write(BOMB_XML)),
                         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        "empty.pdf": (b"", "application/pdf"),
        "undecodable.txt": (b"\x81\x00\xff\xfe" * 1000, "text/plain"),
    }
    good = {
        "report.doc": (pdf, "text/html"),          # a PDF under a wrong name and type
        "fgw2022.docx": (docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    }
    a = Archive(sqlite_url, tmp_path / "blobs")
    run = a.start_run(["h"])
    for name, (body, ctype) in {**hostile, **good}.items():
        a.record_capture(run_id=run, url=f"http://127.0.0.50/{name}", status=200, body=body,
                         headers={"Content-Type": ctype}, portal="h")
    st = process_archive(a)
    assert st.reports == 2 and sum(st.errors.values()) == len(hostile)
    by_url = {e["url"].rsplit("/", 1)[1]: e for e in st.error_blobs}
    assert set(by_url) == set(hostile)
    assert all(e["status"] == "extraction_error" and e["reason"] for e in by_url.values())
    assert "encrypt" in by_url["encrypted.pdf"]["reason"].lower()
    stored = a.query("SELECT count(*) AS n FROM extraction WHERE error IS NOT NULL")[0]["n"]
    assert stored == len(hostile)
    rows = a.query("SELECT agency, report_year FROM reports ORDER BY report_year")
    assert rows == [{"agency": "洛阳市发展和改革委员会", "report_year": 2022},
                    {"agency": "洛宁县人民政府办公室", "report_year": 2023}]
    run_row = a.get_run(st.run_id)
    assert run_row["status"] == "finished" and sum(run_row["stats"]["errors"].values()) == len(hostile)
    a.close()
