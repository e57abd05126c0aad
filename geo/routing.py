"""Ordering stops into a short round trip (travelling salesman) with OR-Tools.

Distances are straight-line geodesic metres until a road network is loaded; callers say so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from geo.distance import metres_between_many

GUIDED_SEARCH_ABOVE = 12  # stops; below it plain local search already finds the best loop


@dataclass(frozen=True)
class Tour:
    order: list[int]  # indexes into the stops, in visiting order (start point excluded)
    length_m: float  # start -> stops -> back to start


def distance_matrix(points: Sequence[tuple[float, float]]) -> np.ndarray:
    lon = np.array([p[0] for p in points], dtype=float)
    lat = np.array([p[1] for p in points], dtype=float)
    n = len(points)
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    return metres_between_many(lon[i.ravel()], lat[i.ravel()], lon[j.ravel()], lat[j.ravel()]).reshape(n, n)


def round_trip(
    start: tuple[float, float], stops: Sequence[tuple[float, float]], time_limit_s: int = 2
) -> Tour:
    """The stops in an order that makes a short loop from ``start`` and back."""
    if not stops:
        return Tour([], 0.0)
    matrix = distance_matrix([start, *stops])
    metres = np.rint(matrix).astype(int)
    manager = pywrapcp.RoutingIndexManager(len(metres), 1, 0)
    model = pywrapcp.RoutingModel(manager)

    def cost(from_index: int, to_index: int) -> int:
        return int(metres[manager.IndexToNode(from_index), manager.IndexToNode(to_index)])

    model.SetArcCostEvaluatorOfAllVehicles(model.RegisterTransitCallback(cost))
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    if len(stops) > GUIDED_SEARCH_ABOVE:
        parameters.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        parameters.time_limit.seconds = time_limit_s
    solution = model.SolveWithParameters(parameters)
    if solution is None:
        raise RuntimeError("the route solver found no tour")
    order, index = [], model.Start(0)
    while not model.IsEnd(index):
        node = manager.IndexToNode(index)
        if node != 0:
            order.append(node - 1)
        index = solution.Value(model.NextVar(index))
    nodes = [0, *(i + 1 for i in order), 0]
    length = float(sum(matrix[a, b] for a, b in pairwise(nodes)))
    return Tour(order, length)
