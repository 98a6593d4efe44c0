"""The optimizer: search a lattice of policy parameters for the cheapest point that meets every
standard with confidence (or trace the efficient frontier), spending far fewer runs than a grid.

``schema`` reads its files, ``lattice`` is its space, ``evidence`` what its runs say, ``surrogate``
where to look next, ``runs`` runs (or replays) what it asks for, ``cheapest`` and ``frontier``
decide, ``result`` is the answer, and ``optimizer.optimize`` ties them together.
"""
