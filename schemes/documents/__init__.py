"""Documents: photos and scans of members' papers, kept in object storage."""
