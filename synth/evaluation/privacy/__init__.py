"""Privacy: distances, membership and attribute attacks, singling out, the inspector and the verdict."""
