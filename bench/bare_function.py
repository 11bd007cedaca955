"""The baseline of bench/deflection_ivr.py: a functions-framework handler doing nothing."""

import functions_framework


@functions_framework.http
def bare(request):  # noqa: ANN001, ANN201 - the smallest possible handler
    return "ok"
