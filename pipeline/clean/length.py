"""Length in words for every script: the measure of "short" for lines and articles.

Scripts written without spaces (Han, kana, Thai, Lao, Khmer, Myanmar) have no word breaks
to count: a 25-character Chinese sentence is one "word" to ``str.split``. There every two
characters count as a word (a Chinese word averages 1.5 to 2 characters), so a sentence is
not mistaken for a menu entry and an article is not rejected as too short.
"""

from __future__ import annotations

import re

_UNSPACED = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
)
_WORD = re.compile(r"\w+")


def article_length(text: str) -> int:
    """Length in words, counting two characters of an unspaced script as one word.

    >>> article_length("Five words in this line.")
    5
    >>> article_length("东京电力公司今天宣布将在明年春天开始排放处理水") >= 10
    True
    """
    if not _UNSPACED.search(text):
        return len(_WORD.findall(text))
    unspaced = len(_UNSPACED.findall(text))
    rest = _UNSPACED.sub(" ", text)
    return len(_WORD.findall(rest)) + unspaced // 2


def line_words(line: str) -> int:
    """Words of one line: ``split`` for spaced scripts (as the rules were written), the
    character measure when the line has unspaced script in it.

    >>> line_words("Home"), line_words("国务院总理今天在北京会见了来访的外国代表团")
    (1, 10)
    """
    if _UNSPACED.search(line):
        return article_length(line)
    return len(line.split())
