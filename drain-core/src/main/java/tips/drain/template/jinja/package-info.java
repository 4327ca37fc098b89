/**
 * The Jinja2 subset chat templates use: {@code Lexer} (tokens, whitespace control, trim_blocks and
 * lstrip_blocks), {@code Parser} (statements and expressions with Jinja2's precedence, into {@code Node}s),
 * {@code Interpreter} (rendering with Python semantics from {@code Py}, {@code Arithmetic}, {@code Methods}),
 * {@code Filters} and {@code JinjaTests}. Entry point: {@link tips.drain.template.jinja.Template}.
 */
package tips.drain.template.jinja;
