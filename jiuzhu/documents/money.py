"""Amounts as documents print them: figures (12,000.00元) and Chinese capitals (壹万贰仟元整).

The functions live in jiuzhu.lib.money (the bank's payment list prints them too); re-exported here.
"""

from __future__ import annotations

from jiuzhu.lib.money import rmb_upper, yuan

__all__ = ["rmb_upper", "yuan"]
