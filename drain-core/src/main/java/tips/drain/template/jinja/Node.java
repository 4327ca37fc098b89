package tips.drain.template.jinja;

import java.util.List;

/** The syntax tree of a template: statements ({@link Stmt}) that contain expressions ({@link Expr}). */
interface Node {
  int line();

  /** A statement: text, output, or a control structure. */
  sealed interface Stmt extends Node {}

  record Text(String text, int line) implements Stmt {}

  record Output(Expr expr, int line) implements Stmt {}

  /** {@code if / elif / else}: {@code tests.get(i)} guards {@code bodies.get(i)}. */
  record If(List<Expr> tests, List<List<Stmt>> bodies, List<Stmt> otherwise, int line) implements Stmt {}

  /** {@code for targets in iterable [if filter]} ... {@code else} ... */
  record For(List<String> targets, Expr iterable, Expr filter, List<Stmt> body, List<Stmt> otherwise, int line)
      implements Stmt {}

  /** {@code set a = ...}, {@code set a, b = ...} or {@code set ns.attr = ...} (then {@code attribute} is set). */
  record Set(List<String> names, String attribute, Expr value, int line) implements Stmt {}

  /** {@code set name %}...{% endset}. */
  record SetBlock(String name, List<Stmt> body, int line) implements Stmt {}

  record Macro(String name, List<String> params, List<Expr> defaults, List<Stmt> body, int line) implements Stmt {}

  record Break(int line) implements Stmt {}

  record Continue(int line) implements Stmt {}

  /** An expression. */
  sealed interface Expr extends Node {}

  record Literal(Object value, int line) implements Expr {}

  record Name(String name, int line) implements Expr {}

  record ListExpr(List<Expr> items, int line) implements Expr {}

  record DictExpr(List<Expr> keys, List<Expr> values, int line) implements Expr {}

  record GetAttr(Expr target, String name, int line) implements Expr {}

  record GetItem(Expr target, Expr index, int line) implements Expr {}

  /** {@code target[start:stop:step]}, any part may be null. */
  record Slice(Expr target, Expr start, Expr stop, Expr step, int line) implements Expr {}

  record Call(Expr callee, List<Expr> args, List<String> kwNames, List<Expr> kwValues, int line) implements Expr {}

  record Filter(Expr value, String name, List<Expr> args, List<String> kwNames, List<Expr> kwValues, int line)
      implements Expr {}

  record Test(Expr value, String name, List<Expr> args, boolean negated, int line) implements Expr {}

  /** {@code not x}, {@code -x}, {@code +x}. */
  record Unary(String op, Expr operand, int line) implements Expr {}

  /** Arithmetic, {@code ~}, {@code and}, {@code or}. */
  record Binary(String op, Expr left, Expr right, int line) implements Expr {}

  /** A comparison chain {@code a < b <= c}: ops.get(i) compares operand i with operand i + 1. */
  record Compare(List<Expr> operands, List<String> ops, int line) implements Expr {}

  /** {@code then if test else otherwise}; otherwise may be null (undefined). */
  record Conditional(Expr test, Expr then, Expr otherwise, int line) implements Expr {}
}
