/** Choosing a key's models: from the models the caller may use, or typed freely when that list is not available. */
import { MultiSelect, TagsInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { PlaygroundModel } from '../../api/types.ts';

/** The models the caller may use (an older gateway has no such list: the query fails, and models are typed). */
export function useCallerModels() {
  return useQuery({
    queryKey: ['playground', 'models'],
    queryFn: () => api.get<PlaygroundModel[]>('/api/playground/models'),
    retry: false,
    staleTime: 60_000,
  });
}

interface ModelsInputProps {
  label: string;
  description: string;
  placeholder: string;
  value: string[];
  onChange: (value: string[]) => void;
  error?: React.ReactNode;
}

export function ModelsInput(props: ModelsInputProps) {
  const models = useCallerModels();
  if (models.isError) return <TagsInput clearable splitChars={[',', ' ']} {...props} />;
  // The key's own models stay choosable even when the caller may no longer use them.
  const data = [...new Set([...(models.data ?? []).map((m) => m.id), ...props.value])];
  return <MultiSelect searchable clearable hidePickedOptions data={data} {...props} />;
}
