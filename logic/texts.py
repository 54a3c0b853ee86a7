"""Product copy shown on several pages, written once."""

DISCLAIMER = (
    "Stride Check is a self-check, not a diagnosis and not medical advice. It turns your answers "
    "into rough risk signals using a published article on upper-leg injuries in trail runners. "
    "If something hurts, gets worse or worries you, see a doctor or physiotherapist."
)

CLINICIAN = (
    "Please see a clinician (a doctor or physiotherapist) before you self-treat or keep running "
    "through this."
)
