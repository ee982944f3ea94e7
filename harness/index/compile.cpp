// SPDX-License-Identifier: MIT
// IndexExpression::compile: syntax tree -> IndexProgram, with every check done here, once.
//
// The passes, in order (so the first error a person sees is the most basic one):
//   1. the spec against the shapes of f and x: the range of each free letter;
//   2. parse (syntax errors);
//   3. names: variables, dims, matrix expressions compiled with Expression::compile, and the number
//      of indices on each factor against its shape;
//   4. scopes: which letters are summed where (Einstein, or explicit sum(l, ...));
//   5. ranges: each summation's range from the factors it indexes, all of which must agree;
//   6. lowering to the flat program evaluate() runs.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gradcheck/index_notation.hpp"
#include "common/suggest.hpp"
#include "index/ast.hpp"
#include "index/program.hpp"

namespace gradcheck {
namespace {

using detail::IndexProgram;
using index::LetterUse;
using index::Node;

// "Z[i,l]", or "q" for a scalar: one side of the spec, normalised.
std::string side_text(const std::string& name, const std::vector<std::string>& letters) {
  if (letters.empty()) return name;
  std::string s = name + "[" + letters[0];
  for (std::size_t k = 1; k < letters.size(); ++k) s += "," + letters[k];
  return s + "]";
}

// Indices a value takes: two on anything (row, column), one on a vector (n x 1 or 1 x n: the
// linear position), none on a 1x1. Returns what is wrong, or "" when `count` indices fit.
std::string index_count_problem(const std::string& name, Shape shape, std::size_t count) {
  const std::string is = name + " is " + shape.str() + ": ";
  if (count > 2) return is + "it takes at most two indices";
  if (count == 2 || (count == 1 && shape.is_vector()) || (count == 0 && shape.is_scalar())) return "";
  if (shape.is_vector()) return is + "a vector takes one index, as in " + name + "[i]";
  return is + "a matrix takes two indices, as in " + name + "[i,j]";
}

class Compiler {
 public:
  Compiler(std::string_view text, const IndexSpec& spec, Shape f_shape, Shape x_shape, const Symbols& symbols,
           bool explicit_summation)
      : text_(text), spec_(spec), f_shape_(f_shape), x_shape_(x_shape), symbols_(symbols),
        explicit_(explicit_summation), spec_str_(side_text(spec.f_name, spec.f_letters) + " / " +
                                                 side_text(spec.x_name, spec.x_letters)) {}

  std::unique_ptr<IndexProgram> run() {
    free_bindings();
    tree_ = index::parse(text_);
    nodes_ = &tree_.nodes;
    tensor_.assign(nodes_->size(), -1);
    shape_.assign(nodes_->size(), Shape{});
    for (std::size_t n = 0; n < nodes_->size(); ++n) resolve(static_cast<int>(n));

    const Uses open = close(tree_.root);
    if (!open.empty()) {
      const LetterUse& u = use(open.front().sites.front());
      fail("index '" + u.letter + "' appears once in this product and is not one of the indices of " + spec_str_,
           u.pos, u.letter.size());
    }
    ranges();

    program_->range.resize(bindings_.size());
    for (std::size_t b = 0; b < bindings_.size(); ++b) program_->range[b] = bindings_[b].range;
    program_->at.assign(bindings_.size(), 0);
    program_->variable_count = symbols_.variable_count();
    program_->tensors.assign(program_->variable_count + program_->embedded.size(), nullptr);
    program_->root = lower_node(tree_.root);
    complex_obstacle();
    // Every entry of the result runs the program, and every sum multiplies the cost of its body:
    // refuse what would take hours per evaluation (or a result beyond memory) with the reason.
    double entries = 1;
    for (arma::uword r : program_->free_ranges) entries *= double(r);
    const double each = cost(program_->root);
    if (entries > 1e8 || entries * each > 1e10)
      fail(fmt::format("this would take about {:.1e} operations per evaluation ({:.0f} entries of about {:.1e} "
                       "operations each), more than 1e+10 (use smaller sizes)",
                       entries * each, entries, each),
           0, std::max<std::size_t>(1, text_.size()), "expr.value");
    arma::uword total = 1;
    for (arma::uword r : program_->free_ranges) total *= r;
    program_->result.zeros(total);
    return std::move(program_);
  }

 private:
  // Operations of one evaluation of op `i` (for one assignment of the free letters).
  double cost(int i) const {
    const IndexProgram::Op& op = program_->ops[static_cast<std::size_t>(i)];
    switch (op.kind) {
      case IndexProgram::Op::Const:
      case IndexProgram::Op::Tensor:
      case IndexProgram::Op::Delta: return 1;
      case IndexProgram::Op::Neg:
      case IndexProgram::Op::Func: return 1 + cost(op.a);
      case IndexProgram::Op::Sum: return double(program_->range[static_cast<std::size_t>(op.binding)]) * (1 + cost(op.a));
      default: return 1 + cost(op.a) + cost(op.b);
    }
  }

  // A letter's binding: a free letter, or one summation.
  struct Binding {
    std::string letter;
    bool sized = false;
    arma::uword range = 0;
    std::string where;       // the factor that gave the range: "A[i,j]"
    std::size_t first_pos;   // its first use, for "has no range"
  };
  // A letter used in a product but not yet summed: where it is written (node, letter number).
  // Several sites when it comes from the terms of a parenthesised sum, (a[k] + b[k]).
  struct Open {
    std::string letter;
    std::vector<std::pair<int, int>> sites;
  };
  using Uses = std::vector<Open>;

  [[noreturn]] void fail(const std::string& detail, std::size_t pos, std::size_t len = 1,
                         const char* id = "expr.index") const {
    throw ExprError(id, detail, std::string(text_), pos + 1, len);
  }
  Node& node(int n) { return (*nodes_)[static_cast<std::size_t>(n)]; }
  LetterUse& use(std::pair<int, int> site) { return node(site.first).letters[static_cast<std::size_t>(site.second)]; }
  std::string source(const Node& n) const { return std::string(text_.substr(n.pos, n.end - n.pos)); }

  int new_binding(const std::string& letter, std::size_t pos) {
    bindings_.push_back(Binding{letter, false, 0, "", pos});
    return static_cast<int>(bindings_.size()) - 1;
  }
  // Records that binding b ranges over `range` in `where`; all uses must agree.
  void size_binding(int b, arma::uword range, const std::string& where, const LetterUse& u, const std::string& text) {
    Binding& bd = bindings_[static_cast<std::size_t>(b)];
    if (!bd.sized) {
      bd.sized = true;
      bd.range = range;
      bd.where = where;
      return;
    }
    if (bd.range != range)
      throw ExprError("expr.index",
                      "index '" + u.letter + "' ranges over " + std::to_string(bd.range) + " in " + bd.where +
                          " but over " + std::to_string(range) + " in " + where,
                      text, u.pos + 1, u.letter.size());
  }

  // Pass 1: the free letters, bindings 0..n-1, ranged by the shapes of f and x. A letter on both
  // sides (a diagonal) must get the same range from both.
  void free_bindings() {
    struct Side {
      const std::string& name;
      const std::vector<std::string>& letters;
      const std::vector<std::size_t>& pos;
      std::size_t name_pos;
      Shape shape;
    };
    const Side sides[] = {{spec_.f_name, spec_.f_letters, spec_.f_letter_pos, spec_.f_pos, f_shape_},
                          {spec_.x_name, spec_.x_letters, spec_.x_letter_pos, spec_.x_pos, x_shape_}};
    for (const std::string& l : spec_.free_letters) new_binding(l, 0);
    for (const Side& side : sides) {
      const std::string problem = index_count_problem(side.name, side.shape, side.letters.size());
      if (!problem.empty())
        throw ExprError("expr.index", problem, spec_.text, side.name_pos + 1, side.name.size());
      const std::string where = side_text(side.name, side.letters);
      for (std::size_t k = 0; k < side.letters.size(); ++k) {
        const auto it = std::find(spec_.free_letters.begin(), spec_.free_letters.end(), side.letters[k]);
        const arma::uword range = side.letters.size() == 1 ? side.shape.numel()
                                  : k == 0                 ? side.shape.rows
                                                           : side.shape.cols;
        LetterUse u;
        u.letter = side.letters[k];
        u.pos = k < side.pos.size() ? side.pos[k] : 0;
        size_binding(static_cast<int>(it - spec_.free_letters.begin()), range, where, u, spec_.text);
      }
    }
    program_ = std::make_unique<IndexProgram>();
    program_->free_letters = spec_.free_letters;
    for (std::size_t b = 0; b < spec_.free_letters.size(); ++b) program_->free_ranges.push_back(bindings_[b].range);
  }

  // Pass 3: what each name is; compiles matrix expressions; checks the number of indices.
  void resolve(int n) {
    Node& nd = node(n);
    if (nd.kind != Node::Name && nd.kind != Node::Indexed && nd.kind != Node::Embedded) return;
    if (nd.kind == Node::Embedded) {
      try {
        program_->embedded.push_back(Expression::compile(nd.name, symbols_));
      } catch (const ExprError& e) {  // point into the whole text
        throw ExprError(e.id(), e.detail(), std::string(text_), nd.pos + e.column(), e.length());
      }
      shape_[n] = program_->embedded.back().shape();
      tensor_[n] = -static_cast<int>(program_->embedded.size());  // embedded k: -(k+1), fixed in lowering
    } else if (const Symbols::Variable* v = symbols_.find_variable(nd.name)) {
      shape_[n] = v->shape;
      tensor_[n] = static_cast<int>(v->slot);
      program_->slots_used.push_back(v->slot);
      program_->slot_shapes.push_back(v->shape);
    } else if (const double* dim = symbols_.find_dim(nd.name)) {
      if (nd.kind == Node::Indexed)
        fail(nd.name + " is a dim (a number): it takes no indices", nd.pos, nd.end - nd.pos);
      nd.kind = Node::Number;
      nd.value = *dim;
      return;
    } else {
      fail(unknown_name(nd.name), nd.pos, nd.name.size(), "expr.name");
    }
    const std::string problem = index_count_problem(nd.name, shape_[n], nd.letters.size());
    if (!problem.empty()) fail(problem, nd.pos, nd.end - nd.pos);
  }

  std::string unknown_name(const std::string& name) const {
    const std::string best = suggest(name, symbols_.variable_names());
    return "unknown variable or dim '" + name + "'" + (best.empty() ? "" : "; did you mean '" + best + "'?");
  }

  // Pass 4, the summation convention.
  //
  // analyze(n) returns the letters node n leaves open for the product it is part of: each entry is
  // one use in that product. A product ends at a term of a sum, a parenthesised group, the argument
  // of a function, the body of sum(), or the top: close() is called there. In close(), a letter
  // with two uses is summed around that node (Einstein); one use stays open, to meet its partner
  // in the enclosing product (exp(x[k]) * y[k] sums over k); three or more is an error. A letter
  // still open at the top is an error. Free letters are never summed; a sum(l, ...) binds l in
  // its body, where l may appear any number of times.
  //
  // With explicit summation no letter is summed implicitly: every letter is free or bound by an
  // enclosing sum(l, ...).
  Uses analyze(int n) {
    Uses out;
    Node& nd = node(n);
    switch (nd.kind) {
      case Node::Indexed:
      case Node::Embedded:
      case Node::Delta:
        for (std::size_t k = 0; k < nd.letters.size(); ++k) letter_use(n, static_cast<int>(k), out);
        return out;
      case Node::Neg:
        return analyze(nd.kids[0]);
      case Node::Mul:
      case Node::Div:
      case Node::Pow: {
        out = analyze(nd.kids[0]);
        Uses right = analyze(node(n).kids[1]);
        out.insert(out.end(), right.begin(), right.end());
        return out;
      }
      case Node::Add:
      case Node::Sub: {
        out = close(nd.kids[0]);
        for (Open& o : close(node(n).kids[1])) {
          auto it = std::find_if(out.begin(), out.end(), [&](const Open& x) { return x.letter == o.letter; });
          if (it == out.end())
            out.push_back(std::move(o));
          else
            it->sites.insert(it->sites.end(), o.sites.begin(), o.sites.end());
        }
        return out;
      }
      case Node::Group:
      case Node::Func:
        return close(nd.kids[0]);
      case Node::Sum: {
        LetterUse& u = nd.letters[0];
        if (free_binding(u.letter) >= 0)
          fail("cannot sum over '" + u.letter + "': it is one of the indices of " + spec_str_, u.pos, u.letter.size());
        if (bound_binding(u.letter) >= 0)
          fail("'" + u.letter + "' is already summed by an enclosing sum(" + u.letter + ", ...)", u.pos, u.letter.size());
        u.binding = new_binding(u.letter, u.pos);
        bound_.emplace_back(u.letter, u.binding);
        out = close(nd.kids[0]);
        bound_.pop_back();
        return out;
      }
      case Node::Number:
      case Node::Name:
        return out;
    }
    return out;
  }

  Uses close(int n) {
    Uses uses = analyze(n);
    Uses open;
    std::vector<bool> done(uses.size(), false);
    for (std::size_t i = 0; i < uses.size(); ++i) {
      if (done[i]) continue;
      std::vector<std::size_t> same;  // the uses of this letter, in order
      for (std::size_t j = i; j < uses.size(); ++j)
        if (uses[j].letter == uses[i].letter) {
          same.push_back(j);
          done[j] = true;
        }
      if (same.size() == 1) {
        open.push_back(std::move(uses[i]));
      } else if (same.size() == 2) {  // Einstein: summed around this node
        const int b = new_binding(uses[i].letter, use(uses[i].sites.front()).pos);
        for (std::size_t j : same)
          for (const auto& site : uses[j].sites) use(site).binding = b;
        node(n).implicit_sums.push_back(b);
      } else {
        const LetterUse& u = use(uses[same[2]].sites.front());
        fail("index '" + u.letter + "' appears " + std::to_string(same.size()) +
                 " times in this product: Einstein's convention sums a letter written exactly twice; use sum(" +
                 u.letter + ", ...)",
             u.pos, u.letter.size());
      }
    }
    return open;
  }

  void letter_use(int n, int k, Uses& out) {
    LetterUse& u = node(n).letters[static_cast<std::size_t>(k)];
    if ((u.binding = free_binding(u.letter)) >= 0) return;
    if ((u.binding = bound_binding(u.letter)) >= 0) return;
    if (explicit_)
      fail("index '" + u.letter + "' is not one of the indices of " + spec_str_ + " and no sum(" + u.letter +
               ", ...) encloses it (summation is explicit)",
           u.pos, u.letter.size());
    out.push_back(Open{u.letter, {{n, k}}});
  }
  int free_binding(const std::string& letter) const {
    const auto it = std::find(spec_.free_letters.begin(), spec_.free_letters.end(), letter);
    return it == spec_.free_letters.end() ? -1 : static_cast<int>(it - spec_.free_letters.begin());
  }
  int bound_binding(const std::string& letter) const {
    for (auto it = bound_.rbegin(); it != bound_.rend(); ++it)
      if (it->first == letter) return it->second;
    return -1;
  }

  // Pass 5: every binding's range from the factors it indexes (free letters: from the spec too).
  // Nodes are visited in creation order, which for factors is their order in the text.
  void ranges() {
    for (std::size_t n = 0; n < nodes_->size(); ++n) {
      const Node& nd = (*nodes_)[n];
      if (nd.kind != Node::Indexed && nd.kind != Node::Embedded) continue;
      const Shape s = shape_[n];
      for (std::size_t k = 0; k < nd.letters.size(); ++k) {
        const arma::uword range = nd.letters.size() == 1 ? s.numel() : k == 0 ? s.rows : s.cols;
        size_binding(nd.letters[k].binding, range, source(nd), nd.letters[k], std::string(text_));
      }
    }
    for (const Binding& b : bindings_)
      if (!b.sized)
        fail("index '" + b.letter + "' has no range: it indexes no variable or matrix expression (delta() gives none)",
             b.first_pos, b.letter.size());
  }

  // The first function without a complex extension: in an embedded expression, or a scalar
  // function (all of today's have one).
  void complex_obstacle() {
    std::string& obstacle = program_->complex_obstacle;
    for (const Expression& e : program_->embedded)
      if (!e.has_complex_extension()) {
        obstacle = e.complex_obstacle();
        return;
      }
    for (const IndexProgram::Op& op : program_->ops)
      if (op.kind == IndexProgram::Op::Func && !op.fn->complex) {
        obstacle = op.fn->name;
        return;
      }
  }

  // Pass 6: the flat program. Implicit sums wrap the node they were found at.
  int emit(IndexProgram::Op op) {
    program_->ops.push_back(op);
    return static_cast<int>(program_->ops.size()) - 1;
  }
  int lower_node(int n) {
    using Op = IndexProgram::Op;
    const Node& nd = node(n);
    int id;
    Op op;
    switch (nd.kind) {
      case Node::Number:
        op.kind = Op::Const;
        op.value = nd.value;
        id = emit(op);
        break;
      case Node::Name:
      case Node::Indexed:
      case Node::Embedded: {
        op.kind = Op::Tensor;
        const int t = tensor_[static_cast<std::size_t>(n)];
        op.tensor = t >= 0 ? t : static_cast<int>(program_->variable_count) + (-t - 1);
        op.nidx = static_cast<int>(nd.letters.size());
        for (std::size_t k = 0; k < nd.letters.size(); ++k) op.idx[k] = nd.letters[k].binding;
        id = emit(op);
        break;
      }
      case Node::Delta:
        op.kind = Op::Delta;
        op.idx[0] = nd.letters[0].binding;
        op.idx[1] = nd.letters[1].binding;
        id = emit(op);
        break;
      case Node::Group:
        id = lower_node(nd.kids[0]);
        break;
      case Node::Neg:
      case Node::Func:
        op.kind = nd.kind == Node::Neg ? Op::Neg : Op::Func;
        op.fn = nd.fn;
        op.a = lower_node(nd.kids[0]);
        id = emit(op);
        break;
      case Node::Sum:
        op.kind = Op::Sum;
        op.binding = nd.letters[0].binding;
        op.a = lower_node(nd.kids[0]);
        id = emit(op);
        break;
      default: {  // Add, Sub, Mul, Div, Pow
        static constexpr Op::Kind kinds[] = {Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Pow};
        op.kind = kinds[nd.kind - Node::Add];
        op.a = lower_node(nd.kids[0]);
        op.b = lower_node(nd.kids[1]);
        id = emit(op);
        break;
      }
    }
    for (int b : nd.implicit_sums) {
      Op sum;
      sum.kind = Op::Sum;
      sum.binding = b;
      sum.a = id;
      id = emit(sum);
    }
    return id;
  }

  std::string_view text_;
  const IndexSpec& spec_;
  Shape f_shape_, x_shape_;
  const Symbols& symbols_;
  bool explicit_;
  std::string spec_str_;  // "Z[i,l] / H[j,k]", for messages

  index::Tree tree_;
  std::vector<Node>* nodes_ = nullptr;
  std::vector<int> tensor_;   // per node: variable slot, or -(k+1) for embedded expression k
  std::vector<Shape> shape_;  // per node: the shape of the value it indexes
  std::vector<Binding> bindings_;
  std::vector<std::pair<std::string, int>> bound_;  // the enclosing sum(l, ...): letter, binding
  std::unique_ptr<IndexProgram> program_;
};

}  // namespace

IndexExpression IndexExpression::compile(std::string_view text, const IndexSpec& spec, Shape f_shape, Shape x_shape,
                                         const Symbols& symbols, bool explicit_summation) {
  return IndexExpression(Compiler(text, spec, f_shape, x_shape, symbols, explicit_summation).run());
}

}  // namespace gradcheck
