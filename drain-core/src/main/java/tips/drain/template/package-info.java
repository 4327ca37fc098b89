/**
 * Chat templates: {@link tips.drain.template.ChatTemplate} renders a model's Jinja {@code chat_template} with
 * {@link tips.drain.template.ChatMessage}s as transformers' {@code apply_chat_template} does, on the small
 * Jinja2 implementation in {@link tips.drain.template.jinja}.
 */
package tips.drain.template;
