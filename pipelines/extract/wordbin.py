"""Word 97-2003 binary documents (.doc, and .wps as WPS Office writes them) read directly.

A DOC is an OLE compound file (olefile reads it); [MS-DOC] gives the rest: the FIB at the
start of the WordDocument stream points at the piece table (CLX: which byte ranges hold
the text, 8-bit or UTF-16) and at the paragraph property pages (PlcBtePapx -> PAPX FKPs). A
paragraph is in a table when its properties say so (sprmPFInTable); a cell ends with 0x07;
a row ends with a 0x07 paragraph marked as the row's end (sprmPFTtp), whose properties carry
the row's cell boundaries and per-cell merge flags (sprmTDefTable, sprmTVertMerge). Rows are
laid on the union of their cell boundaries, as LibreOffice builds the table grid, and merged
cells are expanded (the text repeats in every slot), as the DOCX path gives them.

What this reader does not understand raises :class:`Unsupported` (Word 6/95 files,
encrypted or obfuscated files, nested tables, damaged structures), and the caller falls back
to LibreOffice. Field codes keep their result only; pictures and drawn objects are dropped;
headers, footers, notes and text boxes are not part of the main text (as in the DOCX path).
"""
from __future__ import annotations

import bisect
import io
import logging
import struct
from dataclasses import dataclass, field

from .base import cell_text, clean_line

logger = logging.getLogger(__name__)

WORD97_NFIB = 0x00C1  # Word 97; later versions write larger values


class Unsupported(Exception):
    """The file is not one this reader reads exactly (the caller falls back to LibreOffice)."""


@dataclass
class _Row:
    cells: list[str]
    bounds: list[int]  # itcMac + 1 x positions (twips)
    hmerge: list[int]  # 0 none, 1 first of a horizontal merge, 2/3 merged into the previous
    vmerge: list[int]  # 0 none, 1 continues the cell above, 3 starts a vertical merge


@dataclass
class WordDoc:
    """Body in order: ("p", text) paragraphs and ("t", rows) tables (grid, owner ids)."""

    blocks: list[tuple] = field(default_factory=list)
    title: str | None = None
    author: str | None = None
    created: str | None = None
    modified: str | None = None


def _u16(b: bytes, o: int) -> int:
    return struct.unpack_from("<H", b, o)[0]


def _u32(b: bytes, o: int) -> int:
    return struct.unpack_from("<I", b, o)[0]


# 8-bit pieces are cp1252 except for these bytes ([MS-DOC] 2.4.1)
_CP1252 = {0x82: "\u201a", 0x83: "\u0192", 0x84: "\u201e", 0x85: "\u2026", 0x86: "\u2020", 0x87: "\u2021",
           0x88: "\u02c6", 0x89: "\u2030", 0x8A: "\u0160", 0x8B: "\u2039", 0x8C: "\u0152", 0x91: "\u2018",
           0x92: "\u2019", 0x93: "\u201c", 0x94: "\u201d", 0x95: "\u2022", 0x96: "\u2013", 0x97: "\u2014",
           0x98: "\u02dc", 0x99: "\u2122", 0x9A: "\u0161", 0x9B: "\u203a", 0x9C: "\u0153", 0x9F: "\u0178"}


def _sprms(grpprl: bytes):
    """(opcode, operand bytes) of each property modifier in a grpprl."""
    i, n = 0, len(grpprl)
    while i + 2 <= n:
        op = _u16(grpprl, i)
        i += 2
        spra = op >> 13
        if spra in (0, 1):
            size = 1
        elif spra in (2, 4, 5):
            size = 2
        elif spra == 3:
            size = 4
        elif spra == 7:
            size = 3
        else:  # variable
            if op in (0xD608, 0xD606):  # sprmTDefTable(10): a 2-byte size
                if i + 2 > n:
                    break
                size = _u16(grpprl, i) - 1  # cb counts itself minus one byte ([MS-DOC] 2.6.5)
                i += 2
            else:
                if i >= n:
                    break
                size = grpprl[i]
                i += 1
        yield op, grpprl[i : i + size]
        i += size


class _Reader:
    def __init__(self, data: bytes):
        import olefile

        try:
            ole = olefile.OleFileIO(io.BytesIO(data))
        except Exception as e:  # olefile raises its own and struct errors on damaged files
            raise Unsupported(f"OLE: {e}") from None
        self.ole = ole
        if not ole.exists("WordDocument"):
            raise Unsupported("no WordDocument stream")
        wd = ole.openstream("WordDocument").read()
        if len(wd) < 0x200 or _u16(wd, 0) != 0xA5EC:
            raise Unsupported("not a Word 97+ FIB")
        nfib, flags = _u16(wd, 2), _u16(wd, 0x0A)
        if nfib < WORD97_NFIB:
            raise Unsupported(f"Word 6/95 file (nFib {nfib})")
        if flags & 0x0100 or flags & 0x8000:
            raise Unsupported("encrypted or obfuscated")
        table_name = "1Table" if flags & 0x0200 else "0Table"
        if not ole.exists(table_name):
            raise Unsupported(f"no {table_name} stream")
        self.wd = wd
        self.tbl = ole.openstream(table_name).read()
        self.data = ole.openstream("Data").read() if ole.exists("Data") else b""
        csw = _u16(wd, 32)
        lw = 34 + csw * 2
        cslw = _u16(wd, lw)
        self.ccp_text = _u32(wd, lw + 2 + 3 * 4)
        fc = lw + 2 + cslw * 4
        cb = _u16(wd, fc)
        self.fclcb = [(_u32(wd, fc + 2 + 8 * k), _u32(wd, fc + 6 + 8 * k)) for k in range(cb)]
        if len(self.fclcb) < 34:
            raise Unsupported("short FIB")

    # -- text ------------------------------------------------------------------------------
    def pieces(self) -> list[tuple[int, int, int, bool]]:
        """(cp start, cp end, fc of the first character, compressed) per piece."""
        fc, lcb = self.fclcb[33]
        clx = self.tbl[fc : fc + lcb]
        i = 0
        while i < len(clx) and clx[i] == 0x01:  # Prc: property modifiers for pieces
            i += 3 + struct.unpack_from("<h", clx, i + 1)[0]
        if i >= len(clx) or clx[i] != 0x02:
            raise Unsupported("no piece table")
        lcb_pcd = _u32(clx, i + 1)
        plc = clx[i + 5 : i + 5 + lcb_pcd]
        n = (len(plc) - 4) // 12
        if n <= 0:
            raise Unsupported("empty piece table")
        cps = [_u32(plc, 4 * k) for k in range(n + 1)]
        out = []
        for k in range(n):
            raw = _u32(plc, 4 * (n + 1) + 8 * k + 2)
            compressed = bool(raw & 0x40000000)
            fcv = raw & 0x3FFFFFFF
            out.append((cps[k], cps[k + 1], fcv // 2 if compressed else fcv, compressed))
        return out

    def text(self) -> tuple[str, list[int]]:
        """Main-document text and the file offset of each character."""
        chars: list[str] = []
        fcs: list[int] = []
        for cp0, cp1, fc, compressed in self.pieces():
            if cp0 >= self.ccp_text:
                break
            cp1 = min(cp1, self.ccp_text)
            n = cp1 - cp0
            if compressed:
                raw = self.wd[fc : fc + n]
                chars.extend(_CP1252.get(b, chr(b)) for b in raw)
                fcs.extend(range(fc, fc + len(raw)))
            else:
                raw = self.wd[fc : fc + 2 * n]
                chars.extend(raw.decode("utf-16-le", "replace"))
                fcs.extend(range(fc, fc + len(raw), 2))
        if len(chars) < self.ccp_text:
            raise Unsupported("text shorter than the FIB says")
        return "".join(chars), fcs

    # -- paragraph properties ---------------------------------------------------------------
    def papx_runs(self) -> tuple[list[int], list[tuple[int, bytes]]]:
        """FKP runs sorted by fc: starts, and (end fc, grpprl) per run."""
        fc, lcb = self.fclcb[13]
        plc = self.tbl[fc : fc + lcb]
        n = (len(plc) - 4) // 8
        starts: list[int] = []
        runs: list[tuple[int, bytes]] = []
        for k in range(n):
            pn = _u32(plc, 4 * (n + 1) + 4 * k) & 0x3FFFFF
            page = self.wd[pn * 512 : pn * 512 + 512]
            if len(page) < 512:
                raise Unsupported("PAPX page outside the file")
            crun = page[511]
            for j in range(crun):
                a, b = _u32(page, 4 * j), _u32(page, 4 * (j + 1))
                off = page[4 * (crun + 1) + 13 * j] * 2
                grpprl = b""
                if off:
                    cb = page[off]
                    if cb:
                        body = page[off + 1 : off + 2 * cb]
                    else:
                        body = page[off + 2 : off + 2 + 2 * page[off + 1]]
                    grpprl = body[2:]  # after the style index
                    grpprl = self._huge(grpprl)
                starts.append(a)
                runs.append((b, grpprl))
        order = sorted(range(len(starts)), key=lambda k: starts[k])
        return [starts[k] for k in order], [runs[k] for k in order]

    def _huge(self, grpprl: bytes) -> bytes:
        """sprmPHugePapx: the real properties live in the Data stream."""
        for op, arg in _sprms(grpprl):
            if op == 0x6646 and len(arg) == 4:
                o = _u32(arg, 0)
                if o + 2 > len(self.data):
                    raise Unsupported("huge PAPX outside the Data stream")
                cb = _u16(self.data, o)
                return self.data[o + 2 : o + 2 + cb]  # a bare grpprl, no style index
        return grpprl


def _row_props(grpprl: bytes) -> tuple[list[int], list[int], list[int]]:
    """Cell boundaries and horizontal / vertical merge flags of a table row."""
    bounds: list[int] = []
    hm: list[int] = []
    vm: list[int] = []
    for op, arg in _sprms(grpprl):
        if op == 0xD608 and arg:
            n = arg[0]
            if len(arg) < 1 + 2 * (n + 1):
                raise Unsupported("short sprmTDefTable")
            bounds = [struct.unpack_from("<h", arg, 1 + 2 * k)[0] for k in range(n + 1)]
            tcs = arg[1 + 2 * (n + 1):]
            hm, vm = [0] * n, [0] * n
            for k in range(min(n, len(tcs) // 20)):
                flags = _u16(tcs, 20 * k)
                hm[k] = flags & 0x3
                vm[k] = (flags >> 5) & 0x3
        elif op == 0xD62B and len(arg) >= 2 and arg[0] < len(vm):  # sprmTVertMerge
            vm[arg[0]] = arg[1]
        elif op == 0x5624 and len(arg) >= 2 and bounds:  # sprmTMerge: itcFirst, itcLim
            for k in range(arg[0] + 1, min(arg[1], len(hm))):
                hm[k] = 2
    return bounds, hm, vm


def _grid(rows: list[_Row]) -> tuple[list[list[str]], list[list[int]]]:
    """Lay rows on the union of their cell boundaries; expand merged cells."""
    # exact boundaries, as LibreOffice builds its grid: 2916 and 2917 twips are two lines
    xs = sorted({x for r in rows for x in r.bounds})
    index = {x: i for i, x in enumerate(xs)}
    col = index.__getitem__

    width = len(xs) - 1
    grid: list[list[str]] = []
    ids: list[list[int]] = []
    next_id = 0
    for r in rows:
        line = [""] * width
        own = [-1] * width
        last = -1
        for k, text in enumerate(r.cells):
            if k + 1 >= len(r.bounds):
                break
            a, b = col(r.bounds[k]), col(r.bounds[k + 1])
            if r.hmerge[k] >= 2 and last >= 0:  # merged into the previous cell
                cid, text = own[last], line[last]
            elif r.vmerge[k] == 1 and grid and 0 <= a < width and ids[-1][a] >= 0:
                cid, text = ids[-1][a], grid[-1][a]
            else:
                cid, next_id = next_id, next_id + 1
            for c in range(a, b):
                line[c], own[c] = text, cid
            last = b - 1 if b > a else last
        grid.append(line)
        ids.append(own)
    return grid, ids


def read(data: bytes) -> WordDoc:
    """Body paragraphs and tables of a Word 97-2003 file; raises Unsupported."""
    rd = _Reader(data)
    text, fcs = rd.text()
    starts, runs = rd.papx_runs()

    def props(cp: int) -> bytes:
        f = fcs[cp]
        i = bisect.bisect_right(starts, f) - 1
        if i < 0 or f >= runs[i][0]:
            raise Unsupported(f"no paragraph properties for cp {cp}")
        return runs[i][1]

    doc = WordDoc()
    para: list[str] = []
    cell_paras: list[str] = []
    cells: list[str] = []
    rows: list[_Row] = []
    fields: list[bool] = []  # per open field: past its separator (showing the result)

    def flush_table() -> None:
        if rows:
            doc.blocks.append(("t", _grid(rows)))
            rows.clear()

    for cp, ch in enumerate(text):
        o = ord(ch)
        if o == 0x13:
            fields.append(False)
            continue
        if o == 0x14:
            if fields:
                fields[-1] = True
            continue
        if o == 0x15:
            if fields:
                fields.pop()
            continue
        if not all(fields):
            continue  # a field's instruction (its result is shown)
        if o in (0x0D, 0x07):
            p = props(cp)
            in_table = ttp = False
            for op, arg in _sprms(p):
                if op == 0x2416 and arg:
                    in_table = bool(arg[0])
                elif op == 0x2417 and arg:
                    ttp = bool(arg[0])
                elif (op in (0x244B, 0x244C) and arg and arg[0]) or (op == 0x6649 and len(arg) == 4 and _u32(arg, 0) > 1):
                    raise Unsupported("nested table")
            line = "".join(para)
            para = []
            if o == 0x07 and ttp:
                bounds, hm, vm = _row_props(p)
                if len(bounds) != len(cells) + 1:
                    raise Unsupported(f"row ending at {cp} with {len(cells)} cells but {max(len(bounds) - 1, 0)} boundaries")
                rows.append(_Row(cells, bounds, hm, vm))
                cells = []
                continue
            if in_table:
                cell_paras.append(line)
                if o == 0x07:
                    cells.append(cell_text("\n".join(cell_paras)))
                    cell_paras = []
                continue
            flush_table()
            doc.blocks.append(("p", line))
            continue
        if o == 0x0B:
            para.append("\n")
        elif o == 0x0C:
            continue  # page or section break
        elif o == 0x09:
            para.append("\t")
        elif o == 0x1E:
            para.append("-")
        elif o in (0x01, 0x02, 0x03, 0x04, 0x05, 0x08, 0x1F):
            continue  # picture, note marks, separators, drawn object, optional hyphen
        else:
            para.append(ch)
    if cells or cell_paras:
        raise Unsupported("table not closed at the end of the text")
    flush_table()
    if para and "".join(para).strip():
        doc.blocks.append(("p", "".join(para)))
    try:
        m = rd.ole.get_metadata()
        dec = lambda v: v.decode("utf-8", "replace") if isinstance(v, bytes) else v  # noqa: E731
        doc.title, doc.author = dec(m.title) or None, dec(m.author) or None
        doc.created = m.create_time.isoformat() if m.create_time else None
        doc.modified = m.last_saved_time.isoformat() if m.last_saved_time else None
    except Exception:  # summary information is optional and often damaged
        logger.debug("no summary information", exc_info=True)
    finally:
        rd.ole.close()
    return doc


def lines(doc: WordDoc) -> list[str]:
    """Text lines as the DOCX path writes them (tables: each cell once per row, tab-separated)."""
    out: list[str] = []
    for kind, body in doc.blocks:
        if kind == "p":
            t = clean_line(body)
            if t:
                out.append(t)
            continue
        grid, ids = body
        for row, own in zip(grid, ids):
            seen: set[int] = set()
            cells = []
            for t, k in zip(row, own):
                if k in seen:
                    continue
                seen.add(k)
                if t:
                    cells.append(t)
            if cells:
                out.append("\t".join(cells))
    return out
