"""Baseline: the barest functions-framework handler, served the same way as ours."""

import functions_framework


@functions_framework.http
def bare(request):  # noqa: ANN001, ANN201
    return "<Response/>", 200, {"Content-Type": "text/xml"}
