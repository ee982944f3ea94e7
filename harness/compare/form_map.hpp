// SPDX-License-Identifier: MIT
// Where each entry of `expected` sits in the Jacobian: the layouts and forms of check.hpp.
#pragma once

#include <armadillo>
#include <string>
#include <vector>

#include "gradcheck/form.hpp"

namespace gradcheck {

struct FormMap {
  Shape wanted;               // the shape `expected` must have
  // Entry k of expected (column-major) is J(index(k)) with J numel(f) x numel(x).
  arma::uword index(arma::uword k) const { return identity ? k : to_jacobian[k]; }
  // Entries of expected.
  arma::uword size() const { return identity ? count : to_jacobian.n_elem; }
  // index(k) == k for every k (vec form column-major in numerator layout, a gradient in
  // denominator layout): J's entries are already in expected's order, and to_jacobian is empty.
  bool identity = false;
  arma::uword count = 0;     // size() of an identity map
  arma::uvec to_jacobian;    // index(k) of a map that is not the identity
  // Names for labels.
  std::string f_name, x_name;
  Shape f_shape, x_shape;
  FormSpec spec;
  std::vector<arma::uword> index_ranges;  // form index: range of each free letter

  // The numeric derivative J arranged as expected is written.
  arma::mat arrange(const arma::mat& jacobian) const;
  // Entry k of that arrangement, without arranging.
  double at(const arma::mat& jacobian, arma::uword k) const { return jacobian[index(k)]; }
  // Position of entry k in expected as written: (row, col), or one value per free letter.
  std::vector<arma::uword> position(arma::uword k) const;
  // The entry in the user's terms: "B(2,0)" (gradient), "dz(1)/dW(1,2)", "Z[0,1]/H[2,3]".
  std::string label(arma::uword k) const;
  // Entry b (linear, column-major) of x in the user's terms: "W(2,1)", "x(3)", "s".
  std::string x_label(arma::uword b) const;
  // "the gradient, shaped like B (3x4)" and the like: what the layout asks for, in words.
  std::string describe() const;
};

// Builds the map. Throws gradcheck::Error "check.form" when the form cannot apply (form auto
// with a matrix-valued f, or a vector f with a matrix x; index letters that do not fit).
FormMap make_form_map(const FormSpec& spec, Shape f_shape, Shape x_shape, const std::string& f_name,
                      const std::string& x_name);

}  // namespace gradcheck
