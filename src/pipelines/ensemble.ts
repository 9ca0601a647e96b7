/**
 * The ensemble virtual model (N-1): the request goes to every member model at once, each with its own time limit;
 * the summarizer gets the question and the answers that came back (N-1's prompt by default) and its answer is the
 * response. Members that failed or were late are left out and named; with none left, a 502.
 */
import { Cancellation } from '../core/cancellation.ts';
import { contentText } from '../core/content.ts';
import { UpstreamError } from '../core/errors.ts';
import type { ChatRequest, ChatResponse, StreamEvent, Usage } from '../core/types.ts';
import type { CallContext, ModelCaller, VirtualAnswer, VirtualModel } from './caller.ts';
import { progress } from './progress.ts';

/** N-1's `summary_prompt` as its config.json ships it. */
export const N1_SUMMARY_PROMPT =
  "Based on the reference answers, please generate the most comprehensive version to respond to the user's question. The integrated version should be rich in details, complete in logic, and clear in thought process. If it's a reasoning question, please analyze and answer step by step. Provide a comprehensive and accurate answer after thorough analysis, considering all viewpoints, and give a balanced response at the end. Note that this is the requirement for the answer; do not reveal this constraint in your response.";

export interface EnsembleConfig {
  name: string;
  members: string[];
  summarizer: string;
  summaryPrompt: string;
  /** Per member call. */
  memberTimeoutMs: number;
  /** Stream a line per member as reasoning text while they answer. */
  statusFeedback: boolean;
}

interface MemberResult {
  model: string;
  answer?: ChatResponse;
  /** Why it was left out. */
  failure?: string;
}

export function addUsage(a: Usage | undefined, b: Usage | undefined): Usage | undefined {
  if (!a) return b;
  if (!b) return a;
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
}

/** N-1's summarizer input: each answer as a reference, then the question, then the prompt. */
export function summaryInput(answers: string[], question: string, prompt: string): string {
  const parts = answers.map((text, i) => `参考回答${i + 1}: ${text} \n\n`);
  parts.push(`用户的问题是：${question} \n\n`, prompt);
  return parts.join('\n');
}

/** Who was left out, as a response header (when known before the answer begins). */
function failedHeader(results: MemberResult[]): Record<string, string> {
  const failed = results.filter((r) => r.failure).map((r) => r.model);
  return failed.length ? { 'x-ensemble-failed': failed.join(', ') } : {};
}

export class Ensemble implements VirtualModel {
  readonly config: EnsembleConfig;
  private readonly caller: ModelCaller;

  constructor(config: EnsembleConfig, caller: ModelCaller) {
    this.config = config;
    this.caller = caller;
  }

  /** Held before it runs: the summarizer's price, once per call the ensemble makes. */
  get estimate(): { model: string; calls: number } {
    return { model: this.config.summarizer, calls: this.config.members.length + 1 };
  }

  /** Asks one member, giving up (and cancelling its call) after the member time limit. */
  private async ask(model: string, req: ChatRequest, ctx: CallContext): Promise<MemberResult> {
    const cancel = new Cancellation();
    const unsubscribe = ctx.cancel.onAbort(() => cancel.abort());
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<MemberResult>((resolve) => {
      timer = setTimeout(() => {
        cancel.abort();
        resolve({ model, failure: `no answer within ${this.config.memberTimeoutMs} ms` });
      }, this.config.memberTimeoutMs);
    });
    const asked = this.caller.complete({ ...req, model, stream: false }, { ...ctx, cancel }).then(
      (answer): MemberResult => ({ model, answer }),
      (err: unknown): MemberResult => ({ model, failure: (err as Error).message }),
    );
    try {
      return await Promise.race([asked, late]);
    } finally {
      clearTimeout(timer);
      unsubscribe();
    }
  }

  /** Every member's result, in the order they come in (each also handed to `onResult` as it does). */
  private async askAll(
    req: ChatRequest,
    ctx: CallContext,
    onResult: (r: MemberResult) => void,
  ): Promise<MemberResult[]> {
    return Promise.all(
      this.config.members.map((model) =>
        this.ask(model, req, ctx).then((r) => {
          onResult(r);
          return r;
        }),
      ),
    );
  }

  private summaryRequest(req: ChatRequest, results: MemberResult[], stream: boolean): ChatRequest {
    const answered = results.filter((r) => r.answer);
    if (!answered.length) {
      const why = results.map((r) => `${r.model}: ${r.failure}`).join('; ');
      throw new UpstreamError(`No member of '${this.config.name}' answered (${why}).`, {
        retryable: false,
        status: 502,
        code: 'ensemble_failed',
      });
    }
    const question = contentText([...req.messages].reverse().find((m) => m.role === 'user')?.content ?? '');
    const input = summaryInput(
      answered.map((r) => contentText(r.answer!.message.content)),
      question,
      this.config.summaryPrompt,
    );
    // The summarizer writes prose: no tools, and the client's body is not forwarded.
    const { tools: _tools, toolChoice: _choice, raw: _raw, native: _native, ...rest } = req;
    return { ...rest, model: this.config.summarizer, messages: [{ role: 'user', content: input }], stream };
  }

  private membersUsage(results: MemberResult[]): Usage | undefined {
    return results.reduce<Usage | undefined>((sum, r) => addUsage(sum, r.answer?.usage), undefined);
  }

  async complete(req: ChatRequest, ctx: CallContext): Promise<VirtualAnswer<ChatResponse>> {
    const results = await this.askAll(req, ctx, () => {});
    const summary = await this.caller.complete(this.summaryRequest(req, results, false), ctx);
    const usage = addUsage(this.membersUsage(results), summary.usage);
    return {
      answer: { ...summary, model: this.config.name, ...(usage ? { usage } : {}) },
      headers: failedHeader(results),
    };
  }

  /**
   * The summary as events. With status feedback the stream starts at once, a reasoning line per member as it
   * answers; otherwise once the members are in (so who was left out is known before the first byte).
   */
  async stream(req: ChatRequest, ctx: CallContext): Promise<VirtualAnswer<AsyncIterable<StreamEvent>>> {
    const summarize = async function* (this: Ensemble, results: MemberResult[]): AsyncIterable<StreamEvent> {
      const members = this.membersUsage(results);
      for await (const event of await this.caller.stream(this.summaryRequest(req, results, true), ctx)) {
        // The usage the client sees is every call's together.
        if (event.type === 'usage') yield { type: 'usage', usage: addUsage(members, event.usage)! };
        else yield event;
      }
    }.bind(this);
    if (!this.config.statusFeedback) {
      const results = await this.askAll(req, ctx, () => {});
      this.summaryRequest(req, results, true); // a 502 now, before the stream begins, when no member answered
      return { answer: summarize(results), headers: failedHeader(results) };
    }
    const self = this;
    return {
      answer: (async function* () {
        const results = yield* progress((say) =>
          self.askAll(req, ctx, (r) => say(r.answer ? `${r.model} ✅\n` : `${r.model} ❌ ${r.failure}\n`)),
        );
        yield* summarize(results);
      })(),
    };
  }
}
