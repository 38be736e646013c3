"""The screens by name (one per session state), each loaded on first use: its module imported and
its .kv file read then, never at import time."""
from __future__ import annotations

import importlib
from pathlib import Path

SCREENS = {
    "home": "screens.home:HomeScreen",
    "identify": "screens.identify:IdentifyScreen",
    "choose": "screens.choose:ChooseScreen",
    "guide": "screens.guide:GuideScreen",
    "form": "screens.form:FormScreen",
    "scan": "screens.scan:ScanScreen",
    "delivery": "screens.delivery:DeliveryScreen",
    "confirm": "screens.confirm:ConfirmScreen",
    "submit": "screens.submit:SubmitScreen",
    "receipt": "screens.receipt:ReceiptScreen",
    "answer": "screens.answer:AnswerScreen",
    "progress": "screens.progress:ProgressScreen",
    "evaluate": "screens.evaluation:EvaluationScreen",
    "technician": "screens.technician:TechnicianScreen",
}
_loaded_kv: set[str] = set()


def load_kv(module_file: str) -> None:
    """Read the .kv beside a module once."""
    from kivy.lang import Builder

    kv = str(Path(module_file).with_suffix(".kv"))
    if kv not in _loaded_kv:
        Builder.load_file(kv)
        _loaded_kv.add(kv)


def make(name: str, **kw):
    modname, _, cls = SCREENS[name].partition(":")
    mod = importlib.import_module(modname)
    load_kv(mod.__file__)
    return getattr(mod, cls)(name=name, **kw)
