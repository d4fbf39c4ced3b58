"""Pure domain logic below handlers and storage: weekly times, parsing, study plans, .ics.

No I/O and no imports from bot/, handlers/ or storage/, so every layer above can use it.
"""
