"""`json.dumps` with fixed options, its C encoder built once instead of on every call.

`json.dumps(value, sort_keys=..., separators=..., ...)` builds a JSONEncoder and then json's C encoder on
every call: 3-4 µs, a third of writing a small value, paid per document and per report entry in a
`check`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from json import encoder as json_encoder
from typing import Any


def reusable_dumps(
    *, sort_keys: bool, separators: tuple[str, str], ensure_ascii: bool
) -> Callable[[Any], str]:
    """`json.dumps(value, sort_keys=..., separators=..., ensure_ascii=..., check_circular=False)` as one
    function, byte for byte. Stateless without the circular-reference memo (safe to share between threads);
    for values without cycles only, as json.dumps with check_circular=False. Without CPython's accelerator,
    json.dumps itself."""
    make = getattr(json_encoder, "c_make_encoder", None)
    if make is None:
        return partial(
            json.dumps,
            sort_keys=sort_keys,
            separators=separators,
            ensure_ascii=ensure_ascii,
            check_circular=False,
        )
    item_separator, key_separator = separators
    strings = json_encoder.encode_basestring_ascii if ensure_ascii else json_encoder.encode_basestring
    default = json.JSONEncoder().default  # raises TypeError naming the type, as json.dumps does
    encode = make(None, default, strings, None, key_separator, item_separator, sort_keys, False, True)

    def dumps(value: Any) -> str:
        return "".join(encode(value, 0))

    return dumps
