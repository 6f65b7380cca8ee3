#pragma once
// Flow matching integrates its field with the one ODE integrator (ode/ode.hpp): sampling
// is the step y <- y + v(y, t) dt from t = 0 to 1, inversion the same from 1 back to 0.
#include "ode/ode.hpp"

namespace flow::fm {

using ode::integrate;
using ode::Solver;
using ode::solver_from;
using ode::solver_name;
using ode::stages;
using ode::step_count;

}  // namespace flow::fm
