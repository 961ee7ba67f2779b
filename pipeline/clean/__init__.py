"""Clean: extracted text -> text without page furniture, each removed line kept with its rule.

Line rules (data in ``rules``), lines learned per site, and credit lines.
"""
