"""Rendering helpers every adapter shares: plain text, and splitting at a length limit.

Adapters differ in markup (HTML, embeds, plain text) but not in where a long answer may be cut,
so the cutting lives here once: on paragraph boundaries first, then lines, then words.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.messages import Reply, Section

Escape = Callable[[str], str]


def _same(text: str) -> str:
    return text


def section_blocks(
    section: Section,
    escape: Escape = _same,
    bold: Callable[[str], str] = _same,
    bullet: str = "•",
) -> list[str]:
    """A section as paragraphs of (escaped) text; headings go through ``bold``."""
    blocks: list[str] = []
    if section.heading:
        blocks.append(bold(escape(section.heading)))
    blocks.extend(escape(p) for p in section.paragraphs)
    if section.bullets:
        blocks.append("\n".join(f"{bullet} {escape(b)}" for b in section.bullets))
    if section.rows:
        blocks.append("\n".join(f"{bold(escape(k))}: {escape(v)}" for k, v in section.rows))
    if section.heading and len(blocks) > 1:
        # Keep a heading attached to its first block so a split never orphans it.
        blocks[0:2] = [f"{blocks[0]}\n{blocks[1]}"]
    return blocks


def reply_blocks(
    reply: Reply,
    escape: Escape = _same,
    bold: Callable[[str], str] = _same,
    bullet: str = "•",
    *,
    with_title: bool = True,
    with_footer: bool = True,
) -> list[str]:
    blocks: list[str] = []
    if with_title and reply.title:
        blocks.append(bold(escape(reply.title)))
    for section in reply.sections:
        blocks.extend(section_blocks(section, escape, bold, bullet))
    if with_footer and reply.footer:
        blocks.append(escape(reply.footer))
    return blocks


def plain_text(reply: Reply) -> str:
    return "\n\n".join(reply_blocks(reply))


def split_blocks(blocks: list[str], limit: int, separator: str = "\n\n") -> list[str]:
    """Pack blocks into chunks of at most ``limit`` characters, breaking inside a block only
    when that block alone is too long (then at lines, then at spaces, then hard)."""
    chunks: list[str] = []
    current = ""
    for block in blocks:
        for piece in _fit(block, limit):
            joined = f"{current}{separator}{piece}" if current else piece
            if len(joined) <= limit:
                current = joined
            else:
                chunks.append(current)
                current = piece
    if current:
        chunks.append(current)
    return chunks


def _fit(block: str, limit: int) -> list[str]:
    if len(block) <= limit:
        return [block]
    for separator in ("\n", " "):
        parts = block.split(separator)
        if len(parts) > 1 and all(len(p) <= limit for p in parts):
            return split_blocks(parts, limit, separator)
    return [block[i : i + limit] for i in range(0, len(block), limit)]
