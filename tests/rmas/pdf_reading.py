"""Read what a label PDF says: its text (pypdf) and the value its Code 128 barcode encodes.

The barcode is decoded from the bars themselves, with the Code 128 width table of the
standard (ISO/IEC 15417), not the library that drew it, so the test shows a scanner would read
the RMA number (R2, R3).
"""

from __future__ import annotations

import io

from pypdf import PdfReader
from pypdf.generic import ContentStream

# Bar/space widths in modules of each Code 128 symbol value 0..106 (106 is the stop pattern).
_TABLE = (
    "212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212 112232 "
    "122132 122231 113222 123122 123221 223211 221132 221231 213212 223112 312131 311222 321122 "
    "321221 312212 322112 322211 212123 212321 232121 111323 131123 131321 112313 132113 132311 "
    "211313 231113 231311 112133 112331 132131 113123 113321 133121 313121 211331 231131 213113 "
    "213311 213131 311123 311321 331121 312113 312311 332111 314111 221411 431111 111224 111422 "
    "121124 121421 141122 141221 112214 112412 122114 122411 142112 142211 241211 221114 413111 "
    "241112 134111 111242 121142 121241 114212 124112 124211 411212 421112 421211 212141 214121 "
    "412121 111143 111341 131141 114113 114311 411113 411311 113141 114131 311141 411131 211412 "
    "211214 211232 2331112"
)
WIDTHS = _TABLE.split()
VALUE_OF = {widths: value for value, widths in enumerate(WIDTHS)}
START_A, START_B, START_C, STOP = 103, 104, 105, 106
CODE_A, CODE_B, CODE_C = 101, 100, 99


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def barcode_forms(content: bytes) -> dict[str, list[tuple[float, float, float, float]]]:
    """The filled rectangles of each form XObject on the first page, by XObject name."""
    reader = PdfReader(io.BytesIO(content))
    resources = reader.pages[0]["/Resources"]
    forms: dict[str, list[tuple[float, float, float, float]]] = {}
    for name, ref in resources.get("/XObject", {}).items():
        xobject = ref.get_object()
        if xobject.get("/Subtype") != "/Form":
            continue
        rects = [
            tuple(float(v) for v in operands)
            for operands, operator in ContentStream(xobject, reader).operations
            if operator == b"re"
        ]
        forms[str(name)] = rects  # type: ignore[assignment]
    return forms


def decode_code128(rects: list[tuple[float, float, float, float]]) -> str:
    """The text a Code 128 symbol drawn as these bars encodes; checks the checksum."""
    bars = sorted((x, w) for x, _, w, h in rects if w > 0 and h > 0)
    module = min(w for _, w in bars)
    elements: list[int] = []
    for index, (x, w) in enumerate(bars):
        if index:
            previous_x, previous_w = bars[index - 1]
            elements.append(round((x - previous_x - previous_w) / module))
        elements.append(round(w / module))
    # Six elements per symbol; the stop pattern has seven (it ends on a bar).
    symbols = [elements[i : i + 6] for i in range(0, len(elements) - 7, 6)]
    values = [VALUE_OF["".join(map(str, s))] for s in symbols]
    assert "".join(map(str, elements[-7:])) == WIDTHS[STOP], "no stop pattern"
    *data, checksum = values
    assert checksum == (data[0] + sum(i * v for i, v in enumerate(data[1:], 1))) % 103
    text, code = [], {START_A: "A", START_B: "B", START_C: "C"}[data[0]]
    for value in data[1:]:
        if code == "C" and value < 100:
            text.append(f"{value:02d}")
        elif value == CODE_A:
            code = "A"
        elif value == CODE_B:
            code = "B"
        elif value == CODE_C:
            code = "C"
        elif (code == "B" and value < 95) or (code == "A" and value < 64):
            text.append(chr(value + 32))
        else:
            raise AssertionError(f"unexpected symbol {value} in code set {code}")
    return "".join(text)
