"""Answers cross as data: the format in which answer values leave the participant's kernel.

Runs on three sides, so it depends only on the standard library (numpy and pandas are
imported lazily, where they are already loaded):

* in the participant's kernel P, ``ENCODER`` runs after each answer cell and makes one line
  ``C4C-ANSWERS <json>`` that P sends to its job runner. P controls that process,
  so whatever it sends is treated as untrusted data: it can only ever be a value the
  participant could have assigned anyway.
* on the trusted side, :func:`parse_capture` checks the line's size and shape (plain JSON,
  declared names only) without building any object.
* in the test kernel T, :func:`decode` rebuilds the values; no code is run, nothing is unpickled.

The format (JSON). ``None``, ``bool``, ``int``, ``str`` and finite ``float`` are themselves;
``list`` is a JSON array; everything else is an object with a ``"__c4c__"`` tag:

=============  ===========================================================================
tag            fields
=============  ===========================================================================
``float``      ``v``: ``"nan"``, ``"inf"`` or ``"-inf"``
``tuple``      ``v``: list of values (``set`` and ``frozenset`` the same, tagged so)
``dict``       ``v``: list of ``[key, value]`` pairs (keys are values too)
``np``         a numpy scalar: ``dtype`` (e.g. ``"int64"``) and ``v``
``ndarray``    ``dtype``, ``shape`` and ``v`` (flat list)
``Index``      ``dtype``, ``name``, ``v``; ``RangeIndex``: ``start``, ``stop``, ``step``, ``name``
``Series``     ``name``, ``dtype``, ``index`` (an Index) and ``v`` (list)
``DataFrame``  ``columns`` and ``index`` (Index), ``dtypes`` and ``v`` (one list per column)
``missing``    the name was not defined after the answer cell
``refused``    ``type`` and ``why``: not an accepted answer type (or too large); in T the
               name holds a :class:`NotAnAnswer`, which fails every test that looks at it
=============  ===========================================================================

Column dtypes kept: bool, (u)int, float, their nullable forms (``Int64``, ``boolean``, ...; ``<NA>``
as null), object, string, category and datetime64; any other
column makes the whole table ``refused``.
"""

from __future__ import annotations

import json

MARK = "C4C-ANSWERS "
MAX_CAPTURE = 8_000_000  # characters of one answer cell's line
MAX_ITEMS = 2_000_000  # values in one answer (cells of a table, items of a list)
MASKED = {"Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Float32", "Float64", "boolean"}

ENCODER = r'''
def _c4c_encode_names(names, ns):
    import json, math, sys
    budget = [2_000_000]
    MASKED = {"Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Float32",
              "Float64", "boolean"}
    np = sys.modules.get("numpy")
    pd = sys.modules.get("pandas")

    class Refused(Exception):
        pass

    def spend(n):
        budget[0] -= n
        if budget[0] < 0:
            raise Refused("too large")

    def scalar_list(values):
        spend(len(values))
        return [enc(x) for x in values]

    def index(ix):
        if type(ix) is pd.RangeIndex:
            return {"__c4c__": "RangeIndex", "start": int(ix.start), "stop": int(ix.stop),
                    "step": int(ix.step), "name": enc(ix.name)}
        if type(ix) not in (pd.Index, pd.CategoricalIndex, pd.DatetimeIndex):
            raise Refused(type(ix).__name__)
        return {"__c4c__": "Index", "dtype": column_dtype(ix.dtype), "name": enc(ix.name),
                "v": column(ix)}

    def column_dtype(dtype):
        kind = getattr(dtype, "kind", "")
        name = str(dtype)
        if name == "category" or name == "string" or kind in "biufOM" and kind:
            return name
        raise Refused("column of type " + name)

    def column(values):
        name = str(values.dtype)
        if name == "category":
            return {"categories": column(values.categories if hasattr(values, "categories")
                                          else values.cat.categories),
                    "codes": [int(c) for c in (values.codes if hasattr(values, "codes") else values.cat.codes)],
                    "ordered": bool(values.dtype.ordered)}
        if values.dtype.kind == "M":
            spend(len(values))
            return [None if x is pd.NaT or x != x else x.isoformat() for x in values]
        if name == "string":
            spend(len(values))
            return [None if x is pd.NA else str(x) for x in values]
        if name in MASKED:  # nullable numbers and booleans: <NA> travels as null
            return scalar_list([None if x is pd.NA else x for x in values.tolist()])
        return scalar_list(values.tolist())

    def enc(v):
        t = type(v)
        if v is None or t is bool or t is int or t is str:
            spend(1 + (len(v) // 64 if t is str else 0))
            return v
        if t is float:
            spend(1)
            return v if math.isfinite(v) else {"__c4c__": "float", "v": repr(v)}
        if t is list:
            return scalar_list(v)
        if t in (tuple, set, frozenset):
            items = sorted(v, key=repr) if t is not tuple else v
            return {"__c4c__": t.__name__, "v": scalar_list(list(items))}
        if t is dict:
            spend(len(v))
            return {"__c4c__": "dict", "v": [[enc(k), enc(x)] for k, x in v.items()]}
        if np is not None and isinstance(v, np.generic) and v.dtype.kind in "biuf":
            return {"__c4c__": "np", "dtype": str(v.dtype), "v": enc(v.item())}
        if np is not None and t is np.ndarray and v.dtype.kind in "biufU":
            return {"__c4c__": "ndarray", "dtype": str(v.dtype), "shape": list(v.shape),
                    "v": scalar_list(v.ravel().tolist())}
        if pd is not None and t is pd.Series:
            return {"__c4c__": "Series", "name": enc(v.name), "dtype": column_dtype(v.dtype),
                    "index": index(v.index), "v": column(v)}
        if pd is not None and t is pd.DataFrame:
            return {"__c4c__": "DataFrame", "columns": index(v.columns), "index": index(v.index),
                    "dtypes": [column_dtype(d) for d in v.dtypes],
                    "v": [column(v.iloc[:, i]) for i in range(v.shape[1])]}
        if pd is not None and t in (pd.Index, pd.RangeIndex, pd.CategoricalIndex, pd.DatetimeIndex):
            return index(v)
        raise Refused(t.__name__)

    out = {}
    for name in names:
        if name not in ns:
            out[name] = {"__c4c__": "missing"}
            continue
        budget[0] = 2_000_000
        try:
            out[name] = enc(ns[name])
        except Refused as why:
            out[name] = {"__c4c__": "refused", "type": type(ns[name]).__name__, "why": str(why)[:200]}
        except Exception as err:
            out[name] = {"__c4c__": "refused", "type": type(ns[name]).__name__, "why": repr(err)[:200]}
    return "C4C-ANSWERS " + json.dumps(out)
'''


def encoder():
    """``ENCODER``'s function ``(names, namespace) -> line``, compiled (the sandbox does this once)."""
    scope: dict = {}
    exec(compile(ENCODER, "<c4c-answers>", "exec"), scope)
    return scope["_c4c_encode_names"]


def parse_capture(text: str, names: list[str]) -> dict:
    """The declared names' encoded values from P's printed line; every name is there.

    Anything malformed becomes a ``refused`` marker for the names it should have carried.
    """
    refused = {"__c4c__": "refused", "type": "?", "why": "no answer data from the kernel"}
    line = next((ln for ln in text.splitlines() if ln.startswith(MARK)), "")
    if not line or len(line) > MAX_CAPTURE:
        why = "answer data larger than the limit" if line else refused["why"]
        return {name: {**refused, "why": why} for name in names}
    try:
        data = json.loads(line[len(MARK):])
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return {name: dict(refused) for name in names}
    return {name: data.get(name, dict(refused)) for name in names}


class NotAnAnswer:
    """What a test sees for an answer that did not cross as data; fails any comparison."""

    def __init__(self, type_name: str, why: str):
        self.type_name, self.why = type_name, why

    def __repr__(self) -> str:
        return f"<not an accepted answer type: {self.type_name} ({self.why})>"

    def __eq__(self, other):
        return False

    __hash__ = None  # type: ignore[assignment]

    def __bool__(self) -> bool:
        return False


class Missing(Exception):
    """The name was not defined in P: T leaves it undefined (a NameError, as in nbgrader)."""


def decode(value):
    """Rebuild an encoded value (in T). Raises :class:`Missing` for a name P did not define."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [decode(x) for x in value]
    if not isinstance(value, dict):
        return NotAnAnswer(type(value).__name__, "malformed")
    tag = value.get("__c4c__")
    v = value.get("v")
    if tag == "missing":
        raise Missing()
    if tag == "refused":
        return NotAnAnswer(str(value.get("type", "?")), str(value.get("why", "")))
    if tag == "float" and v in ("nan", "inf", "-inf"):
        return float(v)
    if tag in ("tuple", "set", "frozenset") and isinstance(v, list):
        return {"tuple": tuple, "set": set, "frozenset": frozenset}[tag](decode(x) for x in v)
    if tag == "dict" and isinstance(v, list):
        return {decode(k): decode(x) for k, x in v}
    try:
        return _decode_numeric(tag, value)
    except Exception as err:  # malformed data from P: a typed marker, never a crash of T
        return NotAnAnswer(str(tag), f"malformed: {type(err).__name__}")


def _decode_numeric(tag, value):
    import numpy as np

    v = value.get("v")
    if tag == "np":
        return np.dtype(_numeric_dtype(value["dtype"])).type(decode(v))
    if tag == "ndarray":
        dtype = value["dtype"] if str(value["dtype"]).startswith("<U") else _numeric_dtype(value["dtype"])
        return np.array([decode(x) for x in v], dtype=dtype).reshape([int(n) for n in value["shape"]])
    import pandas as pd

    if tag in ("Index", "RangeIndex"):
        return _index(value)
    if tag == "Series":
        return pd.Series(_column(value["dtype"], v), index=_index(value["index"]), name=decode(value["name"]))
    if tag == "DataFrame":
        index, columns = _index(value["index"]), _index(value["columns"])
        if len(value["dtypes"]) != len(columns) or len(v) != len(columns):
            raise ValueError("shape")
        frame = pd.concat([pd.Series(_column(d, c), index=index) for d, c in zip(value["dtypes"], v)],
                          axis=1) if len(columns) else pd.DataFrame(index=index)  # fmt: skip
        frame.columns = columns
        return frame
    return NotAnAnswer(str(tag), "unknown type")


def _numeric_dtype(name: str) -> str:
    import numpy as np

    if np.dtype(name).kind not in "biuf":
        raise ValueError(name)
    return name


def _index(value):
    import pandas as pd

    if value.get("__c4c__") == "RangeIndex":
        return pd.RangeIndex(int(value["start"]), int(value["stop"]), int(value["step"]), name=decode(value["name"]))
    return pd.Index(_column(value["dtype"], value["v"]), name=decode(value["name"]))


def _column(dtype: str, values):
    import numpy as np
    import pandas as pd

    if dtype == "category":
        cats = _column_values(values["categories"])
        return pd.Categorical.from_codes([int(c) for c in values["codes"]], categories=cats,
                                         ordered=bool(values["ordered"]))  # fmt: skip
    if dtype.startswith("datetime64"):
        return pd.Series(pd.to_datetime(values)).astype(dtype).array
    if dtype in ("string", "object", "str") or dtype in MASKED:
        return pd.array([decode(x) for x in values], dtype=dtype)
    if np.dtype(dtype).kind not in "biuf":
        raise ValueError(dtype)
    return np.array([decode(x) for x in values], dtype=dtype)


def _column_values(values):
    import pandas as pd

    return pd.Index([decode(x) for x in values])
