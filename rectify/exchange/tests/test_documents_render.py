"""The Word documents as a reader's office suite prints them: LibreOffice to PDF, poppler to PNG."""

import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from rectify.core.testing import make_admin, make_campaign, make_measure, make_problem, make_unit
from rectify.exchange.documents import progress_report, rectification_plan

pytestmark = pytest.mark.django_db

SOFFICE = shutil.which("soffice")
PDFTOPPM = shutil.which("pdftoppm")
PDFTOTEXT = shutil.which("pdftotext")
PDFINFO = shutil.which("pdfinfo")
needs_tools = pytest.mark.skipif(
    not (SOFFICE and PDFTOPPM and PDFTOTEXT and PDFINFO),
    reason="LibreOffice (soffice) and poppler-utils (pdftoppm, pdftotext, pdfinfo) are needed: "
    "`make browser` installs them",
)


def _to_pdf(docx: Path) -> Path:
    profile = docx.parent / "lo-profile"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(docx.parent),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    pdf = docx.with_suffix(".pdf")
    assert pdf.exists(), "LibreOffice wrote no PDF"
    return pdf


def _gray_pixels(png: bytes) -> tuple[int, int, bytes]:
    """Width, height and grey levels of an 8-bit greyscale or RGB PNG, decoded by hand."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, data, width, height, channels = 8, b"", 0, 0, 1
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        body = png[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _c, _f, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (0, 2) and not interlace, (depth, colour, interlace)
            channels = 1 if colour == 0 else 3
        elif kind == b"IDAT":
            data += body
        position += 12 + length
    raw = zlib.decompress(data)
    stride = width * channels
    pixels, previous = bytearray(), bytearray(stride)
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - corner
                nearest = min(
                    (abs(estimate - left), 0, left),
                    (abs(estimate - up), 1, up),
                    (abs(estimate - corner), 2, corner),
                )[2]
                line[i] = (line[i] + nearest) & 0xFF
        pixels += bytes(min(line[i : i + channels]) for i in range(0, stride, channels))
        previous = line
    return width, height, bytes(pixels)


@needs_tools
def test_plan_and_report_print_as_a4_pages_with_their_chinese_text(tmp_path):
    admin = make_admin()
    city = make_unit("聊城市科协")
    campaign = make_campaign(city, acting_user=admin, name="主题教育")
    problem = make_problem(campaign, city, acting_user=admin, description="理论学习不够深入")
    make_measure(problem, acting_user=admin, content="制定学习计划")

    plan = tmp_path / "plan.docx"
    plan.write_bytes(rectification_plan(user=admin, campaign=campaign, unit=city).content)
    report = tmp_path / "report.docx"
    report.write_bytes(progress_report(user=admin, campaign=campaign, unit=city).content)

    for docx, title in (
        (plan, "聊城市科协主题教育整改方案"),
        (report, "聊城市科协主题教育整改情况报告"),
    ):
        pdf = _to_pdf(docx)
        info = subprocess.run(
            [PDFINFO, str(pdf)], check=True, capture_output=True, text=True
        ).stdout
        assert "(A4)" in info, info
        text = subprocess.run(
            [PDFTOTEXT, "-f", "1", "-l", "1", str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert title in re.sub(r"\s+", "", text)
        assert re.search(r"—\s*1\s*—", text), "the page number of the first page"

        subprocess.run(
            [
                PDFTOPPM,
                "-png",
                "-gray",
                "-r",
                "40",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(tmp_path / docx.stem),
            ],
            check=True,
            capture_output=True,
            timeout=30,
        )
        png = tmp_path / f"{docx.stem}.png"
        assert png.exists()
        width, height, pixels = _gray_pixels(png.read_bytes())
        assert abs(height / width - 297 / 210) < 0.01, (width, height)
        dark = sum(1 for value in pixels if value < 128)
        assert 0.002 < dark / len(pixels) < 0.2, "the page has text, and is not a black box"
        # The text sits inside the margins: nothing is printed in the top 30 mm.
        top = pixels[: width * int(height * 30 / 297)]
        assert min(top) > 200
