"""Custom item data roles shared by the table models and their delegates."""

from PySide6.QtCore import Qt

#: A native Python value to sort by (ints beyond 32 bits stay exact).
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: A 0..1 share the delegate draws as a bar.
SHARE_ROLE = Qt.ItemDataRole.UserRole + 2
