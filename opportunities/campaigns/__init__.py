"""Channel campaigns: targeting, assets, enrolment, the campaign price rule and market development funds."""
