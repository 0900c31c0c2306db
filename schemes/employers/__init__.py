"""Employers: the companies whose employees an IPM or a precarious workers' mutual covers."""
