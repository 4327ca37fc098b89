package tips.drain.template.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tips.drain.template.jinja.Node.Expr;
import tips.drain.template.jinja.Node.Stmt;
import tips.drain.template.jinja.Token.Type;

/**
 * Recursive-descent parser for the Jinja2 subset chat templates use, with Jinja2's operator precedence
 * (lowest first): conditional expression, {@code or}, {@code and}, {@code not}, comparisons and {@code in},
 * {@code + -}, {@code ~}, {@code * / // %}, {@code **}, unary minus, then primaries with attribute, item,
 * slice, call, filter ({@code |}) and test ({@code is}) postfixes.
 */
final class Parser {
  private static final Set<String> COMPARE = Set.of("==", "!=", "<", ">", "<=", ">=");

  private final String name;
  private final List<Token> tokens;
  private int pos;
  private int nesting;

  private Parser(String name, List<Token> tokens) {
    this.name = name;
    this.tokens = tokens;
  }

  static List<Stmt> parse(String name, String source) {
    Parser p = new Parser(name, Lexer.tokenize(name, source));
    return p.statements(Set.of());
  }

  // ---------------------------------------------------------------- statements

  /** Statements until a block tag whose name is in {@code ends} (left unconsumed) or the end. */
  private List<Stmt> statements(Set<String> ends) {
    enter(peek());
    try {
      return statementsUnchecked(ends);
    } finally {
      nesting--;
    }
  }

  /** Counts one level of nesting against {@link Limits#MAX_NESTING}, so that no input overflows the stack. */
  private void enter(Token at) {
    if (++nesting > Limits.MAX_NESTING) {
      throw error(at, "blocks or expressions nested more than " + Limits.MAX_NESTING + " levels deep");
    }
  }

  private List<Stmt> statementsUnchecked(Set<String> ends) {
    List<Stmt> out = new ArrayList<>();
    while (true) {
      Token t = peek();
      switch (t.type()) {
        case EOF -> {
          if (!ends.isEmpty()) {
            throw error(t, "missing {% " + String.join(" / ", ends) + " %} before the end of the template");
          }
          return out;
        }
        case TEXT -> {
          next();
          out.add(new Node.Text(t.text(), t.line()));
        }
        case VARIABLE_BEGIN -> {
          next();
          Expr e = expression();
          expect(Type.VARIABLE_END, "'}}'");
          out.add(new Node.Output(e, t.line()));
        }
        case BLOCK_BEGIN -> {
          Token keyword = peekAt(1);
          if (keyword.type() == Type.NAME && ends.contains(keyword.text())) {
            return out;
          }
          next();
          out.add(block(next()));
        }
        default -> throw error(t, "unexpected " + t);
      }
    }
  }

  private Stmt block(Token keyword) {
    if (keyword.type() != Type.NAME) {
      throw error(keyword, "expected a statement name, got " + keyword);
    }
    int line = keyword.line();
    return switch (keyword.text()) {
      case "if" -> ifBlock(line);
      case "for" -> forBlock(line);
      case "set" -> setBlock(line);
      case "macro" -> macroBlock(line);
      case "break" -> {
        endTag();
        yield new Node.Break(line);
      }
      case "continue" -> {
        endTag();
        yield new Node.Continue(line);
      }
      case "generation" -> {
        // transformers' AssistantTracker extension: renders its body unchanged
        endTag();
        List<Stmt> body = statements(Set.of("endgeneration"));
        closeBlock("endgeneration");
        yield new Node.If(List.of(new Node.Literal(true, line)), List.of(body), List.of(), line);
      }
      case "endif", "endfor", "endset", "endmacro", "endgeneration", "else", "elif" ->
          throw error(keyword, "unexpected {% " + keyword.text() + " %} (no matching block is open)");
      default -> throw error(keyword, "unknown or unsupported statement '" + keyword.text() + "'");
    };
  }

  private Stmt ifBlock(int line) {
    List<Expr> tests = new ArrayList<>();
    List<List<Stmt>> bodies = new ArrayList<>();
    tests.add(expression());
    endTag();
    while (true) {
      bodies.add(statements(Set.of("elif", "else", "endif")));
      next(); // BLOCK_BEGIN
      Token t = next();
      if (t.text().equals("elif")) {
        tests.add(expression());
        endTag();
      } else if (t.text().equals("else")) {
        endTag();
        List<Stmt> otherwise = statements(Set.of("endif"));
        closeBlock("endif");
        return new Node.If(tests, bodies, otherwise, line);
      } else {
        endTag();
        return new Node.If(tests, bodies, List.of(), line);
      }
    }
  }

  private Stmt forBlock(int line) {
    List<String> targets = new ArrayList<>();
    targets.add(identifier());
    while (peek().isOperator(",")) {
      next();
      targets.add(identifier());
    }
    Token in = next();
    if (!in.isName("in")) {
      throw error(in, "expected 'in' in for loop, got " + in);
    }
    Expr iterable = or();
    Expr filter = null;
    if (peek().isName("if")) {
      next();
      filter = expression();
    }
    if (peek().isName("recursive")) {
      throw error(peek(), "recursive for loops are not supported");
    }
    endTag();
    List<Stmt> body = statements(Set.of("else", "endfor"));
    next();
    List<Stmt> otherwise = List.of();
    if (next().text().equals("else")) {
      endTag();
      otherwise = statements(Set.of("endfor"));
      closeBlock("endfor");
    } else {
      endTag();
    }
    return new Node.For(targets, iterable, filter, body, otherwise, line);
  }

  private Stmt setBlock(int line) {
    String first = identifier();
    if (peek().isOperator(".")) {
      next();
      String attribute = identifier();
      expectOperator("=");
      Expr value = expression();
      endTag();
      return new Node.Set(List.of(first), attribute, value, line);
    }
    List<String> names = new ArrayList<>(List.of(first));
    while (peek().isOperator(",")) {
      next();
      names.add(identifier());
    }
    if (peek().type() == Type.BLOCK_END && names.size() == 1) {
      endTag();
      List<Stmt> body = statements(Set.of("endset"));
      closeBlock("endset");
      return new Node.SetBlock(first, body, line);
    }
    expectOperator("=");
    Expr value = tupleOrExpression();
    endTag();
    return new Node.Set(names, null, value, line);
  }

  private Stmt macroBlock(int line) {
    String macroName = identifier();
    expectOperator("(");
    List<String> params = new ArrayList<>();
    List<Expr> defaults = new ArrayList<>();
    while (!peek().isOperator(")")) {
      if (!params.isEmpty()) {
        expectOperator(",");
      }
      params.add(identifier());
      if (peek().isOperator("=")) {
        next();
        defaults.add(expression());
      } else {
        if (!defaults.isEmpty()) {
          throw error(peek(), "non-default macro argument follows default argument");
        }
      }
    }
    next();
    endTag();
    List<Stmt> body = statements(Set.of("endmacro"));
    closeBlock("endmacro");
    return new Node.Macro(macroName, params, defaults, body, line);
  }

  private void closeBlock(String keyword) {
    next(); // BLOCK_BEGIN
    Token t = next();
    if (!t.isName(keyword)) {
      throw error(t, "expected {% " + keyword + " %}, got " + t);
    }
    endTag();
  }

  private void endTag() {
    expect(Type.BLOCK_END, "'%}'");
  }

  // ---------------------------------------------------------------- expressions

  private Expr tupleOrExpression() {
    Expr first = expression();
    if (!peek().isOperator(",")) {
      return first;
    }
    List<Expr> items = new ArrayList<>(List.of(first));
    while (peek().isOperator(",")) {
      next();
      items.add(expression());
    }
    return new Node.ListExpr(items, first.line());
  }

  Expr expression() {
    enter(peek());
    try {
      return expressionUnchecked();
    } finally {
      nesting--;
    }
  }

  private Expr expressionUnchecked() {
    Expr e = or();
    while (peek().isName("if")) {
      int line = next().line();
      Expr test = or();
      Expr otherwise = null;
      if (peek().isName("else")) {
        next();
        otherwise = expression();
      }
      e = new Node.Conditional(test, e, otherwise, line);
    }
    return e;
  }

  private Expr or() {
    Expr left = and();
    while (peek().isName("or")) {
      int line = next().line();
      left = new Node.Binary("or", left, and(), line);
    }
    return left;
  }

  private Expr and() {
    Expr left = not();
    while (peek().isName("and")) {
      int line = next().line();
      left = new Node.Binary("and", left, not(), line);
    }
    return left;
  }

  private Expr not() {
    if (peek().isName("not")) {
      Token t = next();
      enter(t);
      try {
        return new Node.Unary("not", not(), t.line());
      } finally {
        nesting--;
      }
    }
    return compare();
  }

  private Expr compare() {
    Expr first = math1();
    List<Expr> operands = new ArrayList<>(List.of(first));
    List<String> ops = new ArrayList<>();
    while (true) {
      Token t = peek();
      if (t.type() == Type.OPERATOR && COMPARE.contains(t.text())) {
        next();
        ops.add(t.text());
      } else if (t.isName("in")) {
        next();
        ops.add("in");
      } else if (t.isName("not") && peekAt(1).isName("in")) {
        next();
        next();
        ops.add("not in");
      } else {
        break;
      }
      operands.add(math1());
    }
    return ops.isEmpty() ? first : new Node.Compare(operands, ops, first.line());
  }

  private Expr math1() {
    Expr left = concat();
    while (peek().isOperator("+") || peek().isOperator("-")) {
      Token op = next();
      left = new Node.Binary(op.text(), left, concat(), op.line());
    }
    return left;
  }

  private Expr concat() {
    Expr left = math2();
    while (peek().isOperator("~")) {
      Token op = next();
      left = new Node.Binary("~", left, math2(), op.line());
    }
    return left;
  }

  private Expr math2() {
    Expr left = pow();
    while (peek().isOperator("*") || peek().isOperator("/") || peek().isOperator("//") || peek().isOperator("%")) {
      Token op = next();
      left = new Node.Binary(op.text(), left, pow(), op.line());
    }
    return left;
  }

  private Expr pow() {
    Expr left = unary(true);
    while (peek().isOperator("**")) {
      Token op = next();
      left = new Node.Binary("**", left, unary(true), op.line());
    }
    return left;
  }

  private Expr unary(boolean withFilter) {
    Token t = peek();
    Expr e;
    if (t.isOperator("-") || t.isOperator("+")) {
      next();
      enter(t);
      try {
        e = new Node.Unary(t.text(), unary(false), t.line());
      } finally {
        nesting--;
      }
    } else {
      e = postfix(primary());
    }
    return withFilter ? filters(e) : e;
  }

  private Expr primary() {
    Token t = next();
    switch (t.type()) {
      case STRING -> {
        StringBuilder sb = new StringBuilder(t.text());
        while (peek().type() == Type.STRING) {
          sb.append(next().text()); // adjacent literals concatenate, as in Python
        }
        return new Node.Literal(sb.toString(), t.line());
      }
      case INTEGER -> {
        return new Node.Literal(integer(t), t.line());
      }
      case FLOAT -> {
        try {
          return new Node.Literal(Double.parseDouble(t.text()), t.line());
        } catch (NumberFormatException e) {
          throw error(t, "'" + t.text() + "' is not a number");
        }
      }
      case NAME -> {
        return switch (t.text()) {
          case "true", "True" -> new Node.Literal(true, t.line());
          case "false", "False" -> new Node.Literal(false, t.line());
          case "none", "None" -> new Node.Literal(null, t.line());
          default -> new Node.Name(t.text(), t.line());
        };
      }
      case OPERATOR -> {
        switch (t.text()) {
          case "(" -> {
            if (peek().isOperator(")")) {
              next();
              return new Node.ListExpr(List.of(), t.line());
            }
            Expr e = tupleOrExpression();
            expectOperator(")");
            return e;
          }
          case "[" -> {
            List<Expr> items = new ArrayList<>();
            while (!peek().isOperator("]")) {
              if (!items.isEmpty()) {
                expectOperator(",");
                if (peek().isOperator("]")) {
                  break;
                }
              }
              items.add(expression());
            }
            next();
            return new Node.ListExpr(items, t.line());
          }
          case "{" -> {
            List<Expr> keys = new ArrayList<>();
            List<Expr> values = new ArrayList<>();
            while (!peek().isOperator("}")) {
              if (!keys.isEmpty()) {
                expectOperator(",");
                if (peek().isOperator("}")) {
                  break;
                }
              }
              keys.add(expression());
              expectOperator(":");
              values.add(expression());
            }
            next();
            return new Node.DictExpr(keys, values, t.line());
          }
          default -> {
            // fall through to the error below
          }
        }
      }
      default -> {
        // fall through to the error below
      }
    }
    throw error(t, "unexpected " + t + " in expression");
  }

  private Expr postfix(Expr e) {
    while (true) {
      Token t = peek();
      if (t.isOperator(".")) {
        next();
        Token attr = next();
        if (attr.type() == Type.NAME) {
          e = new Node.GetAttr(e, attr.text(), attr.line());
        } else if (attr.type() == Type.INTEGER) {
          e = new Node.GetItem(e, new Node.Literal(integer(attr), attr.line()), attr.line());
        } else {
          throw error(attr, "expected an attribute name after '.', got " + attr);
        }
      } else if (t.isOperator("[")) {
        next();
        e = subscript(e, t.line());
      } else if (t.isOperator("(")) {
        next();
        e = call(e, t.line());
      } else {
        return e;
      }
    }
  }

  private Expr subscript(Expr target, int line) {
    Expr start = null;
    if (!peek().isOperator(":")) {
      start = expression();
      if (peek().isOperator("]")) {
        next();
        return new Node.GetItem(target, start, line);
      }
    }
    expectOperator(":");
    Expr stop = null;
    Expr step = null;
    if (!peek().isOperator("]") && !peek().isOperator(":")) {
      stop = expression();
    }
    if (peek().isOperator(":")) {
      next();
      if (!peek().isOperator("]")) {
        step = expression();
      }
    }
    expectOperator("]");
    return new Node.Slice(target, start, stop, step, line);
  }

  /** Parses call arguments after '(' into a Call on {@code callee}. */
  private Node.Call call(Expr callee, int line) {
    List<Expr> args = new ArrayList<>();
    List<String> kwNames = new ArrayList<>();
    List<Expr> kwValues = new ArrayList<>();
    boolean first = true;
    while (!peek().isOperator(")")) {
      if (!first) {
        expectOperator(",");
        if (peek().isOperator(")")) {
          break;
        }
      }
      first = false;
      if (peek().type() == Type.NAME && peekAt(1).isOperator("=")) {
        kwNames.add(next().text());
        next();
        kwValues.add(expression());
      } else {
        if (!kwNames.isEmpty()) {
          throw error(peek(), "positional argument follows keyword argument");
        }
        args.add(expression());
      }
    }
    next();
    return new Node.Call(callee, args, kwNames, kwValues, line);
  }

  private Expr filters(Expr e) {
    while (true) {
      Token t = peek();
      if (t.isOperator("|")) {
        next();
        String filterName = dottedName();
        if (peek().isOperator("(")) {
          next();
          Node.Call c = call(null, t.line());
          e = new Node.Filter(e, filterName, c.args(), c.kwNames(), c.kwValues(), t.line());
        } else {
          e = new Node.Filter(e, filterName, List.of(), List.of(), List.of(), t.line());
        }
      } else if (t.isName("is")) {
        next();
        boolean negated = false;
        if (peek().isName("not")) {
          next();
          negated = true;
        }
        String testName = dottedName();
        List<Expr> args = new ArrayList<>();
        Token a = peek();
        if (a.isOperator("(")) {
          next();
          args.addAll(call(null, a.line()).args());
        } else if ((a.type() == Type.NAME || a.type() == Type.STRING || a.type() == Type.INTEGER
            || a.type() == Type.FLOAT || a.isOperator("[") || a.isOperator("{"))
            && !a.isName("else") && !a.isName("or") && !a.isName("and") && !a.isName("if") && !a.isName("is")) {
          args.add(postfix(primary()));
        }
        e = new Node.Test(e, testName, args, negated, t.line());
      } else {
        return e;
      }
    }
  }

  private String dottedName() {
    StringBuilder sb = new StringBuilder(identifier());
    while (peek().isOperator(".") && peekAt(1).type() == Type.NAME) {
      next();
      sb.append('.').append(next().text());
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- tokens

  private String identifier() {
    Token t = next();
    if (t.type() != Type.NAME) {
      throw error(t, "expected a name, got " + t);
    }
    return t.text();
  }

  private void expectOperator(String op) {
    Token t = next();
    if (!t.isOperator(op)) {
      throw error(t, "expected '" + op + "', got " + t);
    }
  }

  private void expect(Type type, String what) {
    Token t = next();
    if (t.type() != type) {
      throw error(t, "expected " + what + ", got " + t);
    }
  }

  private Token peek() {
    return tokens.get(pos);
  }

  private Token peekAt(int ahead) {
    return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
  }

  private Token next() {
    Token t = tokens.get(pos);
    if (t.type() != Type.EOF) {
      pos++;
    }
    return t;
  }

  /** An integer literal; Python's are unbounded, DRAIN's fit a long. */
  private long integer(Token t) {
    try {
      return Long.parseLong(t.text().replace("_", ""));
    } catch (NumberFormatException e) {
      throw error(t, "integer " + (t.text().length() > 30 ? t.text().substring(0, 30) + "..." : t.text())
          + " is out of range (at most " + Long.MAX_VALUE + ")");
    }
  }

  private JinjaException error(Token t, String message) {
    return new JinjaException(name, t.line(), message);
  }
}
