"""Sample card files of the twins: a card by name (`resident-1`) from a folder, or by path."""
from __future__ import annotations

import json
import os


class CardFileError(ValueError):
    """A card file is missing or wrong: `file: key: reason`."""


class CardFolder:
    def __init__(self, folder: str):
        self.folder = folder

    def names(self) -> list[str]:
        return sorted(f[:-5] for f in os.listdir(self.folder) if f.endswith(".json"))

    def path(self, name_or_path: str) -> str:
        if os.sep in name_or_path or name_or_path.endswith(".json"):
            return name_or_path
        return os.path.join(self.folder, name_or_path + ".json")

    def read(self, name_or_path: str) -> tuple[dict, str]:
        """(the card's JSON, its path); raises CardFileError naming the file."""
        path = self.path(name_or_path)
        try:
            with open(path, encoding="utf-8") as f:
                return json.load(f), path
        except FileNotFoundError:
            raise CardFileError(f"{path}: no such card file (samples: {', '.join(self.names())})") from None
        except (OSError, json.JSONDecodeError) as e:
            raise CardFileError(f"{path}: {e}") from None
