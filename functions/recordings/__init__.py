"""Recording delivery to the CRM (SPEC capability 2): carrier -> bucket -> CRM, exactly
once, in <=50 MB parts, deleted on confirmation, never kept past 7 days."""
